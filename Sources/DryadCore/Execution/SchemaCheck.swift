import Dispatch
import DryadJSONSchema
import Foundation

/// Validates tool inputs and outputs away from Swift's cooperative thread pool.
///
/// The server's request handlers share that pool (one thread per core here), so a
/// validation using a core for the whole of its budget would hold up every other request,
/// `/healthz` included. A concurrent dispatch queue runs it on a thread of its own, and the
/// handler only awaits the verdict.
enum SchemaCheck {
    private static let queue = DispatchQueue(label: "dryad.schema-validation", qos: .userInitiated, attributes: .concurrent)

    /// The violations of `instance` against `schema`; throws when the validation ran out of
    /// its budget (`SchemaBudget`).
    static func violations(of instance: JSONValue, against schema: JSONSchema) async throws(DryadError) -> [SchemaViolation] {
        let result: Result<[SchemaViolation], DryadError> = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Result { () throws(DryadError) in try schema.validate(instance) })
            }
        }
        return try result.get()
    }
}
