import Dispatch

/// Runs work that holds a thread (a schema validation spending its budget, a DNS lookup) away
/// from the threads that serve requests.
///
/// `dryad serve` runs its handlers on SwiftNIO's event loops (one per core), so a validation
/// or a slow resolver there would hold up every other request, `/healthz` included. A
/// concurrent dispatch queue runs the work on a thread of its own, and the caller only awaits
/// the answer.
enum BlockingWork {
    private static let queue = DispatchQueue(label: "dryad.blocking-work", qos: .userInitiated, attributes: .concurrent)

    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: work()) }
        }
    }
}
