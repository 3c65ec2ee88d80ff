import DryadCore
import Foundation
import NIOCore

/// Why `dryad serve` could not start listening, as a sentence naming the address, instead of
/// NIO's `bind(descriptor:ptr:bytes:): Address already in use) (errno: 98)`.
public enum StartupFailure {
    /// `error` worded for the person who ran `serve`, or nil for an error that is not about
    /// listening on `host`:`port`.
    public static func explain(_ error: any Error, host: String, port: Int) -> DryadError? {
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        switch error {
        case is SocketAddressError.UnknownHost:
            return .invalidInput("host \(host): not an address, nor a name this machine can resolve")
        case let error as SocketAddressError:
            if case .failedToParseIPString = error { return .invalidInput("host \(host): not an address") }
            return nil
        case let error as IOError:
            switch error.errnoCode {
            case EADDRINUSE: return .busy("cannot listen on \(address): another process is listening there")
            case EACCES: return .permissionDenied("cannot listen on \(address): ports below 1024 need privileges this process lacks")
            case EADDRNOTAVAIL: return .invalidInput("cannot listen on \(address): this machine has no such address")
            default: return nil
            }
        default:
            return nil
        }
    }
}
