import CConcurrencyHook
import DryadCore
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Makes the server's event loops Swift concurrency's global executor, so a request's handler
/// runs on the thread that read it instead of hopping to another pool and back (on two cores
/// this was a fifth of a read's cost). This is what SwiftNIO's
/// `unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor` does; its symbol
/// lookup fails in a `--static-swift-stdlib` binary, so the hook's address comes from a C
/// reference instead. Call once, before the server starts; `dryad serve` does.
/// Returns false when another hook is already installed (then nothing changes).
@discardableResult
public func runHandlersOnEventLoops() -> Bool {
    typealias EnqueueGlobal = @convention(thin) (UnownedJob, @convention(thin) (UnownedJob) -> Void) -> Void
    return withUnsafeTemporaryAllocation(of: EnqueueGlobal.self, capacity: 1) { buffer in
        guard let slot = buffer.baseAddress else { return false }
        // `any()` stays on the current loop when called from one: no thread switch.
        slot.initialize(to: { job, _ in MultiThreadedEventLoopGroup.singleton.any().executor.enqueue(ExecutorJob(job)) })
        return slot.withMemoryRebound(to: UnsafeRawPointer.self, capacity: 1) { dryad_install_enqueue_global_hook($0.pointee) }
    }
}
