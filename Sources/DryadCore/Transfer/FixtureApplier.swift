import Foundation
import GRDB

/// Applies declarative fixtures (`kind: Tool | Principal | Permission | MemoryContext`): creates
/// what is missing and updates what differs, all in one transaction.
///
/// Apply is additive, like `kubectl apply` without `--prune`: resources absent from the file are
/// left alone. Identity: tools by name and version, principals by name, permissions by all their
/// fields, memory contexts by their `key`.
public struct FixtureApplier: Sendable {
    let database: DryadDatabase

    /// Applies `documents` in order as `principal` (an admin); with `dryRun` the same work runs
    /// and is rolled back, so the plan is exactly what a real apply would do.
    public func apply(
        _ documents: [FixtureDocument], dryRun: Bool, progress: (@Sendable (Int) -> Void)? = nil,
        as principal: Principal
    ) async throws(DryadError) -> FixturePlan {
        guard !documents.isEmpty else { throw .invalidInput("no documents to apply") }
        var resources: [(FixtureDocument, Resource)] = []
        for document in documents {
            do {
                resources.append((document, try Resource(document.json, limit: database.memory.maxDataBytes)))
            } catch {
                throw Self.locate(error, document)
            }
        }
        let parsed = resources
        let now = database.clock()
        let memory = database.memory
        let work: @Sendable (Database) throws -> [FixtureChange] = { db in
            var changes: [FixtureChange] = []
            for (position, (document, resource)) in parsed.enumerated() {
                do {
                    changes.append(try resource.apply(now: now, principal: principal, memory: memory, in: db))
                } catch let error as DryadError {
                    throw Self.locate(error, document)
                }
                progress?(position + 1)
            }
            return changes
        }
        if dryRun {
            let changes = try await database.rehearse(principal, .apply, work)
            return FixturePlan(changes: changes, dryRun: true)
        }
        let source = Set(documents.map(\.source)).sorted().joined(separator: ",")
        let changes = try await database.audited(principal, .apply, "fixtures:\(source)") { db, note in
            let changes = try work(db)
            let changed = changes.filter { $0.action != .unchanged }
            note.reason = "role admin; \(changed.count) changed, \(changes.count - changed.count) unchanged"
            // Each change also gets its own entry, so the trail reads like the equivalent commands.
            for change in changed {
                try AuditLog.append(
                    principal: principal.name, action: change.action == .create ? .applyCreate : .applyUpdate,
                    resource: "\(change.kind):\(change.name)", allowed: true, reason: "role admin",
                    requestID: principal.requestID, at: Timestamp.format(now), keyring: database.keyring, in: db)
            }
            return changes
        }
        return FixturePlan(changes: changes, dryRun: false)
    }

    /// Prefixes an error with the file and document it came from.
    static func locate(_ error: DryadError, _ document: FixtureDocument) -> DryadError {
        let place = "\(document.source): document \(document.index)"
        switch error {
        case .invalidInput(let m): return .invalidInput("\(place): \(m)")
        case .notFound(let m): return .notFound("\(place): \(m)")
        case .conflict(let m): return .conflict("\(place): \(m)")
        default: return error
        }
    }
}

extension FixtureApplier {
    /// One document, checked and typed.
    enum Resource: Sendable {
        /// A tool and the fields its document gave (absent fields are left alone on update).
        case tool(ToolDefinition, present: Set<String>)
        case principal(PrincipalSpec)
        case permission(PermissionSpec)
        case memory(MemorySpec)

        static let kinds = ["Tool", "Principal", "Permission", "MemoryContext"]

        init(_ json: JSONValue, limit: Int) throws(DryadError) {
            guard case .object(var fields) = json else {
                throw .invalidInput("expected an object with a kind, got \(json.typeName)")
            }
            guard case .string(let kind)? = fields.removeValue(forKey: "kind") else {
                throw .invalidInput("kind: required, one of \(Self.kinds.joined(separator: ", "))")
            }
            let rest = JSONValue.object(fields)
            switch kind {
            case "Tool": self = .tool(try ToolDefinition(json: rest), present: Set(fields.keys))
            case "Principal": self = .principal(try PrincipalSpec(rest, present: Set(fields.keys)))
            case "Permission": self = .permission(try PermissionSpec(rest))
            case "MemoryContext": self = .memory(try MemorySpec(rest, limit: limit, present: Set(fields.keys)))
            default: throw .invalidInput("kind: \"\(ToolRules.printable(kind))\" is not one of \(Self.kinds.joined(separator: ", "))")
            }
        }

        func apply(now: Date, principal: Principal, memory: MemoryStore, in db: Database) throws -> FixtureChange {
            switch self {
            case .tool(let definition, let present): try Self.apply(definition, present: present, now: Timestamp.format(now), in: db)
            case .principal(let spec): try spec.apply(now: Timestamp.format(now), in: db)
            case .permission(let spec): try spec.apply(now: Timestamp.format(now), in: db)
            case .memory(let spec): try spec.apply(now: now, principal: principal, in: db)
            }
        }

        /// Tools are found by name and version; only the fields `tools update` may change can differ,
        /// and only the fields the document gives are compared.
        static func apply(_ definition: ToolDefinition, present: Set<String>, now: String, in db: Database) throws -> FixtureChange {
            let name = "\(definition.name)@\(definition.version)"
            guard let version = SemanticVersion(definition.version) else {
                throw DryadError.invalidInput("version: \"\(definition.version)\" is not a semantic version")
            }
            guard let existing = try ToolRegistry.resolveOptional(.version(name: definition.name, version: version), in: db),
                existing.version == definition.version
            else {
                // A missing version is created; one of equal precedence but other spelling is refused by insert.
                _ = try ToolRegistry.insert(definition, at: now, in: db)
                return FixtureChange(kind: "Tool", name: name, action: .create, fields: [])
            }
            if present.contains("input_schema"), existing.inputSchema != definition.inputSchema {
                throw DryadError.conflict("input_schema: differs from registered \(name) and cannot change; register a new version")
            }
            if present.contains("output_schema"), existing.outputSchema != definition.outputSchema {
                throw DryadError.conflict("output_schema: differs from registered \(name) and cannot change; register a new version")
            }
            var changes = ToolChanges()
            var fields: [String] = []
            if existing.description != definition.description { changes.description = definition.description; fields.append("description") }
            if present.contains("tags"), existing.tags != definition.tags { changes.tags = definition.tags; fields.append("tags") }
            if present.contains("metadata"), existing.metadata != definition.metadata { changes.metadata = definition.metadata; fields.append("metadata") }
            if present.contains("status"), existing.status != definition.status { changes.status = definition.status; fields.append("status") }
            if present.contains("executor"), existing.executor?.json != definition.executor?.json {
                changes.executor = definition.executor.map(ToolChanges.ExecutorChange.replace) ?? .remove
                fields.append("executor")
            }
            guard !fields.isEmpty else { return FixtureChange(kind: "Tool", name: name, action: .unchanged, fields: []) }
            _ = try ToolRegistry.change(existing, changes, at: now, in: db)
            return FixtureChange(kind: "Tool", name: name, action: .update, fields: fields)
        }
    }

    /// A `Principal` document: `name`, `type`, `role`, and optionally `disabled`, `rate` with `burst`.
    struct PrincipalSpec: Sendable {
        var name: String
        var type: Principal.Kind
        var role: Principal.Role
        var disabled: Bool
        var rate: Double?
        var burst: Int?
        /// The fields the document gave; an update leaves the others as they are.
        var present: Set<String>

        init(_ json: JSONValue, present: Set<String>) throws(DryadError) {
            self.present = present
            var reader = try JSONObjectReader(json, path: "")
            reader.ignore("created_at")
            name = try reader.requiredString("name")
            guard PrincipalStore.isValidName(name) else { throw PrincipalStore.invalidName(name) }
            let typeText = try reader.requiredString("type")
            guard let type = Principal.Kind(rawValue: typeText) else { throw .invalidInput("type: expected one of user, agent, service") }
            self.type = type
            let roleText = try reader.string("role") ?? Principal.Role.member.rawValue
            guard let role = Principal.Role(rawValue: roleText) else { throw .invalidInput("role: expected one of admin, member") }
            self.role = role
            switch reader.value("disabled") {
            case nil, .null?: disabled = false
            case .bool(let flag)?: disabled = flag
            case let other?: throw .invalidInput("disabled: expected a boolean, got \(other.typeName)")
            }
            rate = try reader.number("rate")
            let burstValue = try reader.number("burst")
            if (rate == nil) != (burstValue == nil) { throw .invalidInput("rate: rate and burst go together") }
            if let rate, let burstValue {
                burst = try RateLimit.checked(rate: rate, burst: burstValue).burst
            } else {
                burst = nil
            }
            try reader.finish()
        }

        func apply(now: String, in db: Database) throws -> FixtureChange {
            guard let existing = try PrincipalStore.fetchOptional(name, in: db) else {
                try db.execute(
                    sql: "INSERT INTO principal (name, type, role, disabled, rate, burst, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    arguments: [name, type.rawValue, role.rawValue, disabled, rate, burst, now])
                return FixtureChange(kind: "Principal", name: name, action: .create, fields: [])
            }
            var fields: [String] = []
            if existing.type != type { fields.append("type") }
            let role = present.contains("role") ? role : existing.role
            let disabled = present.contains("disabled") ? disabled : existing.disabled
            let (rate, burst) = present.contains("rate") ? (rate, burst) : (existing.rate, existing.burst)
            if existing.role != role { fields.append("role") }
            if existing.disabled != disabled { fields.append("disabled") }
            if existing.rate != rate || existing.burst != burst { fields.append("rate") }
            guard !fields.isEmpty else { return FixtureChange(kind: "Principal", name: name, action: .unchanged, fields: []) }
            try db.execute(
                sql: "UPDATE principal SET type = ?, role = ?, disabled = ?, rate = ?, burst = ? WHERE name = ?",
                arguments: [type.rawValue, role.rawValue, disabled, rate, burst, name])
            return FixtureChange(kind: "Principal", name: name, action: .update, fields: fields)
        }
    }

    /// A `Permission` document: `tool`, `principal` or `principal_type`, `level`.
    struct PermissionSpec: Sendable {
        var tool: String
        var grantee: Grantee
        var level: ToolLevel

        init(_ json: JSONValue) throws(DryadError) {
            var reader = try JSONObjectReader(json, path: "")
            reader.ignore("created_at")
            tool = try reader.requiredString("tool")
            let name = try reader.string("principal")
            let type = try reader.string("principal_type")
            switch (name, type) {
            case (let name?, nil): grantee = .principal(name)
            case (nil, let type?):
                guard let kind = Principal.Kind(rawValue: type) else { throw .invalidInput("principal_type: expected one of user, agent, service") }
                grantee = .type(kind)
            default: throw .invalidInput("principal: give exactly one of principal and principal_type")
            }
            let levelText = try reader.requiredString("level")
            guard let level = ToolLevel(rawValue: levelText) else { throw .invalidInput("level: expected one of read, write, execute") }
            self.level = level
            try reader.finish()
        }

        var name: String {
            switch grantee {
            case .principal(let name): "\(tool) -> \(name) (\(level.rawValue))"
            case .type(let kind): "\(tool) -> type \(kind.rawValue) (\(level.rawValue))"
            }
        }

        func apply(now: String, in db: Database) throws -> FixtureChange {
            let target: ToolVersion
            do {
                target = try ToolRegistry.resolve(.nameOrID(tool), in: db)
            } catch DryadError.notFound {
                throw DryadError.notFound("tool: \(tool) is not registered (nor defined earlier in the file)")
            }
            let columns: (String?, String?)
            do {
                columns = try PermissionStore.columns(grantee, in: db)
            } catch DryadError.notFound {
                guard case .principal(let missing) = grantee else { throw DryadError.notFound("principal: not found") }
                throw DryadError.notFound("principal: \(missing) is not a principal (nor defined earlier in the file)")
            }
            if try !PermissionStore.grants(toolID: target.id, grantee: grantee, level: level, in: db).isEmpty {
                return FixtureChange(kind: "Permission", name: name, action: .unchanged, fields: [])
            }
            try db.execute(
                sql: "INSERT INTO tool_permission (tool_id, principal_name, principal_type, level, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [target.id, columns.0, columns.1, level.rawValue, now])
            return FixtureChange(kind: "Permission", name: name, action: .create, fields: [])
        }
    }

    /// A `MemoryContext` document: `key`, `agent_id`, `context_type`, `data`, `tags`,
    /// `parent_key` or `parent_id`, `shared_with`; the other fields of `memory get -o json` are
    /// read-only and ignored.
    struct MemorySpec: Sendable {
        var key: String
        var parentKey: String?
        /// The parent by id, as `memory get -o json` writes it.
        var parentID: String?
        var shares: [MemoryShare]
        var draft: MemoryDraft
        /// The fields the document gave; an update compares only these.
        var present: Set<String>

        init(_ json: JSONValue, limit: Int, present: Set<String>) throws(DryadError) {
            self.present = present
            var reader = try JSONObjectReader(json, path: "")
            for field in MemoryContext.readOnlyFields where field != "shared_with" { reader.ignore(field) }
            key = try reader.requiredString("key")
            try MemoryRules.checkKey(key, field: "key")
            parentKey = try reader.string("parent_key")
            if let parentKey { try MemoryRules.checkKey(parentKey, field: "parent_key") }
            parentID = try reader.string("parent_id")
            shares = try Self.shares(reader.value("shared_with"))
            draft = MemoryDraft(
                agentID: try reader.requiredString("agent_id"),
                contextType: try reader.string("context_type") ?? MemoryDraft.defaultType,
                data: reader.value("data") ?? .object([:]),
                tags: try reader.stringArray("tags") ?? [], key: key)
            try reader.finish()
            try MemoryStore.check(draft, limit: limit)
            for share in shares where share.agentID == draft.agentID {
                throw .invalidInput("shared_with: \(share.agentID) owns the context already")
            }
        }

        /// `shared_with`: `[{"agent_id": …, "access": "read" | "write"}]`, each agent once.
        static func shares(_ value: JSONValue?) throws(DryadError) -> [MemoryShare] {
            guard let value, value != .null else { return [] }
            guard case .array(let items) = value else { throw .invalidInput("shared_with: expected a list, got \(value.typeName)") }
            var shares: [MemoryShare] = []
            for (index, item) in items.enumerated() {
                var reader = try JSONObjectReader(item, path: "shared_with[\(index)]")
                let agent = try reader.requiredString("agent_id")
                try MemoryRules.checkAgent(agent, field: reader.path("agent_id"))
                guard let access = MemoryAccess(rawValue: try reader.string("access") ?? MemoryAccess.read.rawValue) else {
                    throw .invalidInput("\(reader.path("access")): expected read or write")
                }
                try reader.finish()
                guard !shares.contains(where: { $0.agentID == agent }) else { throw .invalidInput("shared_with: \(agent) is listed twice") }
                shares.append(MemoryShare(agentID: agent, access: access))
            }
            return shares.sorted { $0.agentID < $1.agentID }
        }

        func apply(now: Date, principal: Principal, in db: Database) throws -> FixtureChange {
            let nowText = Timestamp.format(now)
            var parentID: String?
            if let parentKey {
                // Keys are unique per agent: the parent is the same agent's context with that key,
                // or else the one context of any agent that has it (a parent shared by another agent).
                let own = try String.fetchOne(
                    db, sql: "SELECT id FROM memory_context WHERE agent_id = ? AND key = ? AND \(MemoryStore.visible)",
                    arguments: [draft.agentID, parentKey, nowText])
                let candidates =
                    own != nil
                    ? []
                    : try String.fetchAll(
                        db, sql: "SELECT id FROM memory_context WHERE key = ? AND \(MemoryStore.visible) LIMIT 2", arguments: [parentKey, nowText])
                guard let id = own ?? (candidates.count == 1 ? candidates[0] : nil) else {
                    throw candidates.isEmpty
                        ? DryadError.notFound("parent_key: no context has key \(parentKey) (define the parent earlier in the file)")
                        : DryadError.conflict("parent_key: several agents have a context with key \(parentKey), and \(draft.agentID) has none")
                }
                parentID = id
            }
            if let given = self.parentID {
                // `memory get -o json` names the parent by id; with `parent_key` both must agree.
                guard parentID == nil || parentID == given else {
                    throw DryadError.conflict("parent_id: \(given) is not the context with parent_key \(parentKey ?? "")")
                }
                guard try Bool.fetchOne(db, sql: "SELECT 1 FROM memory_context WHERE id = ?", arguments: [given]) == true else {
                    throw DryadError.notFound("parent_id: no context \(given)")
                }
                parentID = given
            }
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT id, \(MemoryStore.visible) AS visible FROM memory_context WHERE agent_id = ? AND key = ?",
                    arguments: [nowText, draft.agentID, key])
            else {
                var draft = draft
                draft.parentID = parentID
                let created = try MemoryStore.insert(draft, id: UUID().uuidString.lowercased(), now: now, principal: principal, in: db)
                try MemoryStore.replaceShares(of: created.id, with: shares, by: principal.name, at: nowText, in: db)
                return FixtureChange(kind: "MemoryContext", name: key, action: .create, fields: [])
            }
            guard row["visible"] as Bool? == true else {
                throw DryadError.conflict("key: context \(key) has expired; run `dryad memory purge` before applying it again")
            }
            let existing = try MemoryStore.fetch(row["id"], now: nowText, in: db)
            if present.contains("context_type"), existing.contextType != draft.contextType {
                throw DryadError.conflict("context_type: context \(key) is a \(existing.contextType) and cannot change")
            }
            if present.contains("parent_key") || present.contains("parent_id"), existing.parentID != parentID {
                throw DryadError.conflict("parent_key: context \(key) has another parent and cannot move")
            }
            var fields: [String] = []
            let data = present.contains("data") ? draft.data : existing.data
            let tags = present.contains("tags") ? draft.tags : existing.tags
            if existing.data != data { fields.append("data") }
            if existing.tags != tags { fields.append("tags") }
            let reshare = present.contains("shared_with") && existing.sharedWith.sorted(by: { $0.agentID < $1.agentID }) != shares
            if reshare { fields.append("shared_with") }
            guard !fields.isEmpty else { return FixtureChange(kind: "MemoryContext", name: key, action: .unchanged, fields: []) }
            if existing.data != data || existing.tags != tags {
                _ = try MemoryStore.rewrite(
                    existing.id, data: data, tags: tags, expires: existing.expiresAt, expiryChanged: false,
                    merged: false, written: VersionWrite(principal: principal.name, changedLeaves: JSONMerge.changedLeaves(from: existing.data, to: data)),
                    at: nowText, in: db)
            }
            if reshare {
                // The document lists every share: others go, listed ones are written as listed.
                try MemoryStore.replaceShares(of: existing.id, with: shares, by: principal.name, at: nowText, in: db)
            }
            return FixtureChange(kind: "MemoryContext", name: key, action: .update, fields: fields)
        }
    }
}

extension DryadDatabase {
    /// Declarative fixtures (`dryad apply`).
    public var fixtures: FixtureApplier { FixtureApplier(database: self) }

    /// Runs `body` in a write transaction and rolls it back: a dry run that sees its own writes.
    /// Refusals are audited like any other; the rehearsal itself writes nothing.
    func rehearse<T: Sendable>(
        _ principal: Principal, _ action: AuditAction,
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(DryadError) -> T {
        try await authorize(principal, action, "fixtures")
        do {
            return try await pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction {
                    result = try body(db)
                    return .rollback
                }
                guard let result else { throw DryadError.storage("dry run produced no result") }
                return result
            }
        } catch {
            throw try await refusal(for: error, principal, action, "fixtures")
        }
    }
}
