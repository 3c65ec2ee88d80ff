import Foundation

/// The field rules shared by registration and update.
enum ToolRules {
    static let maxDescriptionLength = 16_384
    static let maxTags = 32
    static let maxMetadataBytes = 64 * 1024
    static let maxSchemaBytes = 1024 * 1024

    /// True when `name` is valid as an LLM function name (`NameRule.toolName`).
    static func isValidName(_ name: String) -> Bool { NameRule.toolName.accepts(name) }

    static func isValidTag(_ tag: String) -> Bool { NameRule.tag.accepts(tag) }

    static func check(_ definition: ToolDefinition, path: String) throws(DryadError) {
        let at = path.isEmpty ? "" : path + "."
        guard isValidName(definition.name) else {
            throw .invalidInput("\(at)name: \"\(printable(definition.name))\" must match \(NameRule.toolName.pattern)")
        }
        guard SemanticVersion(definition.version) != nil else {
            throw .invalidInput("\(at)version: \"\(printable(definition.version))\" is not a semantic version (MAJOR.MINOR.PATCH)")
        }
        try checkDescription(definition.description, path: at + "description")
        try checkSchema(definition.inputSchema, path: at + "input_schema")
        if let output = definition.outputSchema {
            try checkSchema(output, path: at + "output_schema")
        }
        try checkTags(definition.tags, path: at + "tags")
        try checkMetadata(definition.metadata, path: at + "metadata")
    }

    static func checkDescription(_ text: String, path: String) throws(DryadError) {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw .invalidInput("\(path): must not be empty")
        }
        guard text.utf8.count <= maxDescriptionLength else {
            throw .invalidInput("\(path): longer than \(maxDescriptionLength) bytes")
        }
        try StoredText.check(text, field: path)
    }

    static func checkTags(_ tags: [String], path: String) throws(DryadError) {
        guard tags.count <= maxTags else { throw .invalidInput("\(path): more than \(maxTags) tags") }
        for tag in tags where !isValidTag(tag) {
            throw .invalidInput("\(path): \"\(printable(tag))\" must be 1-64 characters of A-Z a-z 0-9 _ - . : /")
        }
        // Tags are a set: a repeated one is a mistake in the input, not a second tag.
        var seen = Set<String>()
        for tag in tags where !seen.insert(tag).inserted {
            throw .invalidInput("\(path): \"\(tag)\" is given twice")
        }
    }

    static func checkMetadata(_ metadata: [String: JSONValue], path: String) throws(DryadError) {
        guard JSONValue.object(metadata).canonicalText.utf8.count <= maxMetadataBytes else {
            throw .invalidInput("\(path): larger than \(maxMetadataBytes) bytes")
        }
    }

    static func checkSchema(_ schema: JSONValue, path: String) throws(DryadError) {
        guard case .object = schema else {
            throw .invalidInput("\(path): expected a JSON Schema object, got \(schema.typeName)")
        }
        guard schema.canonicalText.utf8.count <= maxSchemaBytes else {
            throw .invalidInput("\(path): larger than \(maxSchemaBytes) bytes")
        }
        do {
            _ = try JSONSchema(schema)
        } catch {
            throw .invalidInput("\(path): not a valid JSON Schema: \(error.message)")
        }
    }

    /// Keeps error messages on one line and short whatever the user typed.
    static func printable(_ text: String) -> String {
        let cleaned = String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) })
        return cleaned.count > 80 ? String(cleaned.prefix(80)) + "…" : cleaned
    }
}
