import DryadJSON

/// A compiled schema document: a flat table of nodes that refer to each other by index,
/// so that `$ref` cycles are plain integers rather than reference cycles.
struct SchemaProgram: Sendable {
    /// Every compiled (sub)schema; `root` is the one instances are validated against.
    var nodes: [SchemaNode]
    /// Schema resources (the document roots and every schema with an `$id`).
    var resources: [SchemaResource]
    var root: Int
}
