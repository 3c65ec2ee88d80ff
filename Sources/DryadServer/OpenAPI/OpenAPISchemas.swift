import DryadCore

/// JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of every request and response body, and
/// which route uses which. A route missing here fails `OpenAPIDocumentTests`.
enum OpenAPISchemas {
    private static func string(_ format: String? = nil) -> JSONValue {
        format.map { .object(["type": .string("string"), "format": .string($0)]) } ?? .object(["type": .string("string")])
    }
    private static func nullable(_ type: String) -> JSONValue { .object(["type": .array([.string(type), .string("null")])]) }
    private static let integer: JSONValue = .object(["type": .string("integer")])
    private static let number: JSONValue = .object(["type": .string("number")])
    private static let boolean: JSONValue = .object(["type": .string("boolean")])
    private static let anyObject: JSONValue = .object(["type": .string("object")])
    private static let anything: JSONValue = .object([:])
    private static let strings: JSONValue = .object(["type": .string("array"), "items": .object(["type": .string("string")])])
    private static func ref(_ name: String) -> JSONValue { .object(["$ref": .string("#/components/schemas/\(name)")]) }
    private static func enumeration(_ values: [String]) -> JSONValue { .object(["enum": .array(values.map(JSONValue.string))]) }
    private static func object(_ properties: [String: JSONValue], required: [String]? = nil) -> JSONValue {
        .object([
            "type": .string("object"), "properties": .object(properties),
            "required": .array((required ?? properties.keys.sorted()).map(JSONValue.string)),
        ])
    }
    /// A request field the server also accepts as null, meaning "absent".
    private static func orNull(_ schema: JSONValue) -> JSONValue {
        var fields = schema.objectValue ?? [:]
        if case .array(let values)? = fields["enum"] {
            fields["enum"] = .array(values + [.null])
        } else if case .string(let type)? = fields["type"] {
            fields["type"] = .array([.string(type), .string("null")])
        }
        return .object(fields)
    }
    private static func pattern(_ regex: String, maxLength: Int? = nil) -> JSONValue {
        var fields: [String: JSONValue] = ["type": .string("string"), "pattern": .string(regex)]
        if let maxLength { fields["maxLength"] = .integer(Int64(maxLength)) }
        return .object(fields)
    }
    private static func range(_ type: String, above: Double? = nil, from: Double? = nil, to: Double) -> JSONValue {
        var fields: [String: JSONValue] = ["type": .string(type), "maximum": .number(to)]
        if let above { fields["exclusiveMinimum"] = .number(above) }
        if let from { fields["minimum"] = .number(from) }
        return .object(fields)
    }
    // The core's name rules as patterns (ASCII classes: other regex engines read \d and \w as Unicode).
    private static let toolName = pattern(NameRule.toolName.pattern)
    private static let tag = pattern(NameRule.tag.pattern)
    private static let tags: JSONValue = .object(["type": .string("array"), "items": tag, "maxItems": .integer(32)])
    private static let semverBody =
        "(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)(-(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
        + "(\\.(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*)?(\\+[0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*)?"
    private static let semver = pattern("^" + semverBody + "$", maxLength: 64)
    // A schema that is a type and a combination at once is written as allOf: OpenAPIKit's model
    // keeps one of the two otherwise (the committed document lost the other).
    private static let agentID: JSONValue = .object([
        "allOf": .array([pattern(NameRule.agentID.pattern), .object(["not": .object(["enum": .array([.string("."), .string("..")])])])])
    ])
    /// `PrincipalStore.isValidName`: the pattern, minus the reserved names and the `local:` prefix.
    private static let principalName: JSONValue = {
        let reserved = PrincipalStore.reservedNames.sorted().map(JSONValue.string)
        let allowed: JSONValue = .object(["not": .object(["anyOf": .array([.object(["enum": .array(reserved)]), pattern("^local:")])])])
        return .object(["allOf": .array([pattern(NameRule.principalName.pattern), allowed])])
    }()
    private static let toolDescription: JSONValue = .object(["type": .string("string"), "minLength": .integer(1), "maxLength": .integer(16_384)])

    /// `MemoryRules.maxTTL`: a century.
    private static let memoryTTL = range("number", above: 0, to: MemoryRules.maxTTL)
    private static let nonEmpty: JSONValue = .object(["type": .string("string"), "minLength": .integer(1)])
    private static let principalType = enumeration(Principal.Kind.allCases.map(\.rawValue))
    /// A tool reference: NAME, NAME@VERSION or an id (a UUID matches the name rule too).
    private static let toolReference = pattern(String(NameRule.toolName.pattern.dropLast()) + "(@" + semverBody + ")?$")
    private static func atLeastOne(_ schema: JSONValue) -> JSONValue {
        var fields = schema.objectValue ?? [:]
        fields["minProperties"] = .integer(1)
        return .object(fields)
    }
    /// `schema` plus: exactly one of `alternatives` is present and not null.
    private static func exactlyOne(_ schema: JSONValue, of alternatives: [String: JSONValue]) -> JSONValue {
        let oneOf: JSONValue = .object([
            "oneOf": .array(
                alternatives.keys.sorted().map { name in
                    .object(["required": .array([.string(name)]), "properties": .object([name: alternatives[name] ?? anything])])
                })
        ])
        return .object(["allOf": .array([schema, oneOf])])
    }
    /// `schema` refusing any property it does not list, as the server does (422 naming the
    /// field), but accepting `readOnly` ones, which the server ignores: the read-only fields of
    /// the resource's own JSON, so a record written out can be sent back.
    private static func closed(_ schema: JSONValue, readOnly: [String] = []) -> JSONValue {
        var fields = schema.objectValue ?? [:]
        var properties = fields["properties"]?.objectValue ?? [:]
        for name in readOnly where properties[name] == nil { properties[name] = .object(["readOnly": .bool(true)]) }
        if !readOnly.isEmpty { fields["properties"] = .object(properties) }
        fields["additionalProperties"] = .bool(false)
        return .object(fields)
    }

    private static func page(_ item: String) -> JSONValue {
        object(["items": .object(["type": .string("array"), "items": ref(item)]), "next_cursor": nullable("string")])
    }

    /// Every component schema.
    static let components: [String: JSONValue] = [
        "Tool": object([
            "id": string("uuid"), "name": string(), "version": string(), "description": string(), "input_schema": anyObject,
            "output_schema": .object(["type": .array([.string("object"), .string("null")])]),
            "executor": .object(["type": .array([.string("object"), .string("null")])]), "tags": strings, "metadata": anyObject,
            "status": enumeration(ToolStatus.allCases.map(\.rawValue)), "revision": integer, "created_at": string("date-time"),
            "updated_at": string("date-time"),
        ]),
        "ToolPage": page("Tool"),
        "ToolDefinition": closed(
            object(
                [
                    "name": toolName, "version": orNull(semver), "description": toolDescription, "input_schema": orNull(anyObject),
                    "output_schema": orNull(anyObject),
                    "executor": anything, "tags": orNull(tags), "metadata": orNull(anyObject),
                    "status": orNull(enumeration(ToolStatus.allCases.map(\.rawValue))),
                    // Read-only fields of a tool, accepted and ignored so that `GET` output can be sent back.
                    "id": anything, "revision": anything, "created_at": anything, "updated_at": anything,
                ], required: ["name", "description"])),
        "ToolDefinitions": .object([
            "anyOf": .array([
                ref("ToolDefinition"),
                .object(["type": .string("array"), "items": ref("ToolDefinition"), "minItems": .integer(1)]),
            ])
        ]),
        "ToolOrPage": .object(["anyOf": .array([ref("Tool"), ref("ToolPage")])]),
        "Execution": object(
            [
                "id": string("uuid"), "tool_id": string(), "tool_name": string(), "tool_version": string(), "session_id": nullable("string"),
                "context_id": nullable("string"),
                "stored_output": .object([
                    "anyOf": .array([
                        .object(["type": .string("null")]),
                        object(["pointer": string(), "stored": boolean, "version": nullable("integer"), "reason": nullable("string")]),
                    ])
                ]),
                "principal": string(), "input": anything, "output": anything, "status": enumeration(ExecutionStatus.allCases.map(\.rawValue)),
                "error": nullable("string"), "exit_code": nullable("integer"), "http_status": nullable("integer"), "duration_ms": integer,
                "started_at": string("date-time"), "finished_at": string("date-time"),
                "via": .object(["anyOf": .array([.object(["type": .string("null")]), enumeration(["cli", "api", "mcp"])])]),
                "mcp_session": nullable("string"),
                // Only in the answer to a run, and only when there is something to say (a deprecated tool).
                "warnings": strings,
            ],
            required: [
                "id", "tool_id", "tool_name", "tool_version", "session_id", "context_id", "principal", "input", "output", "status", "error", "exit_code",
                "http_status", "duration_ms", "started_at", "finished_at", "stored_output", "via", "mcp_session",
            ]),
        "ExecutionPage": page("Execution"),
        "ToolStats": object([
            "name": string(), "version": string(), "succeeded": integer, "failed": integer, "timed_out": integer, "cancelled": integer, "rejected": integer,
            "denied": integer, "success_rate": nullable("number"), "p50_ms": nullable("integer"), "p95_ms": nullable("integer"),
            "max_ms": nullable("integer"), "last_run_at": nullable("string"),
        ]),
        "ToolStatsPage": page("ToolStats"),
        "StatsSeries": object([
            "tool": string(), "bucket_seconds": integer, "since": string("date-time"), "until": string("date-time"),
            "buckets": .object([
                "type": .string("array"),
                "items": object([
                    "start": string("date-time"), "succeeded": integer, "failed": integer, "timed_out": integer, "cancelled": integer,
                    "rejected": integer, "denied": integer, "p50_ms": nullable("integer"), "p95_ms": nullable("integer"),
                ]),
            ]),
            "next": nullable("string"),
        ]),
        "Session": object([
            "id": string("uuid"), "label": nullable("string"), "principal": string(), "status": enumeration(["open", "ended"]),
            "execution_count": integer, "created_at": string("date-time"), "ended_at": nullable("string"),
        ]),
        "SessionPage": page("Session"),
        "SessionDetail": .object([
            "allOf": .array([
                ref("Session"),
                object(["executions": .object(["type": .string("array"), "items": ref("Execution")]), "executions_next_cursor": nullable("string")]),
            ])
        ]),
        "SessionRequest": closed(object(["label": orNull(string())], required: [])),
        "MemoryContext": object(
            [
                "id": string("uuid"), "key": nullable("string"), "agent_id": string(), "context_type": string(), "data": anyObject,
                "parent_id": nullable("string"), "tags": strings, "version": integer, "created_at": string("date-time"), "updated_at": string("date-time"),
                "expires_at": nullable("string"),
                "shared_with": .object(["type": .string("array"), "items": object(["agent_id": string(), "access": enumeration(["read", "write"])])]),
                "provenance": .object(["type": .string("array"), "items": object(["pointer": string(), "context_id": string()])]),
                "unresolved_errors": integer, "score": number, "snippet": string(), "merged": boolean, "principal": string(),
                // Only in history, on a version a run wrote.
                "execution_id": string(),
                // Only with with_runs=true.
                "runs": .object(["type": .string("array"), "items": ref("Execution")]),
                "open_errors": .object(["type": .string("array"), "items": ref("ErrorRecord")]),
            ],
            required: [
                "id", "key", "agent_id", "context_type", "data", "parent_id", "tags", "version", "created_at", "updated_at", "expires_at", "shared_with",
            ]),
        "MemoryContextPage": page("MemoryContext"),
        "MemoryDraft": closed(
            object(
                [
                    "agent_id": agentID, "context_type": orNull(tag), "data": orNull(anyObject), "parent_id": nullable("string"), "tags": orNull(tags),
                    "ttl_seconds": orNull(memoryTTL), "key": orNull(pattern(NameRule.memoryKey.pattern)),
                ], required: ["agent_id"]),
            readOnly: MemoryContext.readOnlyFields),
        // The fixed fields may be restated, as a context written out carries them, but not changed.
        "MemoryReplace": atLeastOne(
            closed(
                object(
                    [
                        "data": orNull(anyObject), "tags": orNull(tags), "ttl_seconds": orNull(memoryTTL), "agent_id": agentID, "context_type": tag,
                        "key": nullable("string"), "parent_id": nullable("string"),
                    ], required: []),
                readOnly: MemoryContext.readOnlyFields)),
        "MergePatch": anyObject,
        "ShareRequest": closed(
            object(["agent_id": agentID, "access": orNull(enumeration(MemoryAccess.allCases.map(\.rawValue)))], required: ["agent_id"])),
        "Purged": object(["purged": integer]),
        "ErrorRecord": object([
            "id": string("uuid"), "error_type": string(), "error_message": string(), "stack_trace": nullable("string"), "fix_applied": boolean,
            "resolution_note": nullable("string"), "context_id": nullable("string"), "execution_id": nullable("string"), "principal": string(),
            "created_at": string("date-time"), "resolved_at": nullable("string"),
        ]),
        "ErrorPage": page("ErrorRecord"),
        // Each kind adds its own fields (TraceEvent.detail), so the object stays open.
        "TraceEvent": object(
            [
                "kind": enumeration(TraceEvent.Kind.allCases.map(\.rawValue)), "at": string("date-time"), "context_id": string(),
                "principal": nullable("string"),
            ]),
        "TraceEventPage": page("TraceEvent"),
        "ErrorRequest": closed(
            object(
                ["type": nonEmpty, "message": nonEmpty, "stack_trace": orNull(string()), "context_id": orNull(string())],
                required: ["type", "message"])),
        "ResolveRequest": closed(object(["note": orNull(string())], required: [])),
        "Principal": object([
            "name": string(), "type": enumeration(Principal.Kind.allCases.map(\.rawValue)), "role": enumeration(Principal.Role.allCases.map(\.rawValue)),
            "disabled": boolean, "rate": nullable("number"), "burst": nullable("integer"), "created_at": string("date-time"),
        ]),
        "PrincipalPage": page("Principal"),
        "PrincipalRequest": closed(
            object(
                [
                    "name": principalName, "type": enumeration(Principal.Kind.allCases.map(\.rawValue)),
                    "role": orNull(enumeration(Principal.Role.allCases.map(\.rawValue))),
                ], required: ["name", "type"]),
            readOnly: ["created_at"]),
        "RoleRequest": closed(object(["role": enumeration(Principal.Role.allCases.map(\.rawValue))])),
        "QuotaPage": page("Quota"),
        "Quota": object([
            "quota": enumeration(StorageQuota.allCases.map(\.rawValue)), "limit": range("integer", from: 0, to: Double(StorageQuota.maxLimit)),
            "default": boolean,
            "used": .object(["type": .string("integer")]),
        ]),
        "QuotaRequest": closed(
            object(
                Dictionary(
                    uniqueKeysWithValues: StorageQuota.allCases.map { ($0.rawValue, orNull(range("integer", from: 0, to: Double(StorageQuota.maxLimit)))) }),
                required: [])),
        "LimitRequest": closed(object(["rate": range("number", from: 0.001, to: 1_000_000), "burst": range("integer", from: 1, to: 1_000_000)])),
        "Grant": object([
            "tool": string(), "principal": nullable("string"), "principal_type": nullable("string"),
            "level": enumeration(ToolLevel.allCases.map(\.rawValue)), "created_at": string("date-time"),
        ]),
        "GrantPage": page("Grant"),
        "Status": object([
            "version": string(), "path": string(), "schema_version": integer, "sqlite_version": string(), "journal_mode": string(),
            "size_bytes": integer, "counts": .object(["type": .string("object"), "additionalProperties": integer]),
        ]),
        "GrantRequest": exactlyOne(
            closed(
                object(
                    [
                        "tool": string(), "principal": orNull(string()), "principal_type": orNull(principalType),
                        "level": enumeration(ToolLevel.allCases.map(\.rawValue)),
                    ], required: ["tool", "level"]),
                readOnly: ["created_at"]),
            of: ["principal": string(), "principal_type": principalType]),
        "Decision": object(["decision": enumeration(["allow", "deny"]), "reason": string()]),
        "TokenRequest": closed(
            object(["principal": string(), "ttl_seconds": orNull(range("number", above: 0, to: TokenService.defaultMaxTTL))], required: ["principal"])),
        "IssuedToken": object(["token": string(), "id": string(), "expires_at": string("date-time")]),
        "Token": object([
            "id": string(), "principal": string(), "kid": string(), "issued_at": string("date-time"), "expires_at": string("date-time"),
            "revoked_at": nullable("string"),
        ]),
        "TokenPage": page("Token"),
        "Kid": object(["kid": string()]),
        "AuditEntry": object([
            "seq": integer, "at": string("date-time"), "principal": string(), "action": string(), "resource": string(),
            "decision": enumeration(["allow", "deny"]), "reason": string(), "request_id": nullable("string"), "prev_hash": string(), "hash": string(),
        ]),
        "AuditPage": page("AuditEntry"),
        "AuditVerification": object(["ok": boolean, "entries": integer, "first_bad_seq": nullable("integer"), "problem": nullable("string")]),
        "ToolInput": anything,
    ]

    /// Query parameters that are not free text, by name; the others are strings (a route may
    /// give a parameter a narrower schema of its own, see `QueryParameter`).
    static let queryParameters: [String: JSONValue] = [
        "limit": range("integer", from: 1, to: Double(PageRequest.maxLimit)),
        "all_versions": boolean, "resolved": boolean, "explain": boolean, "recursive": boolean, "unresolved": boolean,
        "timeout": range("number", above: 0, to: ToolEndpoint.maxTimeoutSeconds),
        "since": .object(["anyOf": .array([pattern("^[0-9]{1,8}[smhdw]$"), string("date-time")])]),
        "until": .object(["anyOf": .array([pattern("^[0-9]{1,8}[smhdw]$"), string("date-time")])]),
        "bucket": pattern("^[0-9]{1,8}[smhdw]$"),
        "on_conflict": enumeration(MemoryChange.ConflictPolicy.allCases.map(\.rawValue)),
        "level": enumeration(ToolLevel.allCases.map(\.rawValue)),
        "principal_type": enumeration(Principal.Kind.allCases.map(\.rawValue)),
        "decision": enumeration(["allow", "deny"]),
        "if_version": range("integer", from: 1, to: Double(Int32.max)),
        "with_runs": boolean, "subtree": boolean,
    ]

    /// `memory/search?q=`: the words searched for.
    static let searchText: JSONValue = .object(["type": .string("string"), "minLength": .integer(1), "maxLength": .integer(1024)])
    /// `tools?status=`: a tool version's status.
    static let toolStatus = enumeration(ToolStatus.allCases.map(\.rawValue))
    static let sandboxMode = enumeration(SandboxPolicy.Mode.allCases.map(\.rawValue))
    /// `tools?can=`: a level of access to a tool.
    static let toolLevel = enumeration(ToolLevel.allCases.map(\.rawValue))
    /// `tools/{ref}/history?status=`: an execution's status.
    static let executionStatus = enumeration(ExecutionStatus.allCases.map(\.rawValue))

    /// Path parameters that are not free text.
    static let pathParameters: [String: JSONValue] = ["ref": toolReference]

    /// The schema of a query parameter: the route's own, the one its name has, or a string
    /// (non-empty when required, as an empty value counts as absent).
    static func schema(of parameter: QueryParameter) -> JSONValue {
        parameter.schema ?? queryParameters[parameter.name]
            ?? (parameter.required ? .object(["type": .string("string"), "minLength": .integer(1)]) : string())
    }
}
