import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// Sends tool input to an HTTP executor: JSON body, registered headers with `${NAME}` taken from
/// dryad's environment, a timeout, a response-size cap, and no redirects followed.
struct HTTPRunner: Sendable {
    var responseLimit = 1024 * 1024

    func run(_ executor: HTTPEndpoint, input: Data, environment: [String: String], timeout: Duration) async throws(DryadError) -> HTTPResult {
        var draft = HTTPClientRequest(url: executor.url)
        draft.method = HTTPMethod(rawValue: executor.method)
        for (name, value) in try executor.expandedHeaders(environment: environment) {
            draft.headers.add(name: name, value: value)
        }
        if draft.headers["Content-Type"].isEmpty {
            draft.headers.add(name: "Content-Type", value: "application/json")
        }
        draft.body = .bytes(ByteBuffer(bytes: input))

        var configuration = HTTPClient.Configuration()
        // A redirect could carry the input (and the headers' secrets) to another host.
        configuration.redirectConfiguration = .disallow
        if !executor.allowPrivate {
            switch await Self.publicAddress(of: executor.url) {
            case .failure(let refusal): return HTTPResult(ending: .unreachable(refusal.message), body: Data())
            // The connection goes to the address that was checked, not to a second lookup.
            case .success(let pin?): configuration.dnsOverride = [pin.host: pin.address]
            case .success(nil): break
            }
        }
        configuration.timeout = .init(connect: .seconds(Int64(max(1, timeout.components.seconds))))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let deadline = ContinuousClock.now + timeout
        let result: HTTPResult
        do {
            let response = try await client.execute(draft, timeout: .nanoseconds(Int64(timeout / .nanoseconds(1))))
            // AsyncHTTPClient's deadline stops at the response head; racing the body against the
            // rest of the timeout keeps an endpoint that answers and then stalls from holding the run.
            let limit = responseLimit
            let body = try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
                group.addTask { try await response.body.collect(upTo: limit) }
                group.addTask {
                    try await Task.sleep(until: deadline)
                    return nil
                }
                defer { group.cancelAll() }
                return try await group.next() ?? nil
            }
            if let body {
                result = HTTPResult(ending: .responded(status: Int(response.status.code)), body: Data(body.readableBytesView))
            } else {
                result = HTTPResult(ending: .timedOut, body: Data())
            }
        } catch is NIOTooManyBytesError {
            result = HTTPResult(ending: .bodyTooLarge(limit: responseLimit), body: Data())
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            result = HTTPResult(ending: .timedOut, body: Data())
        } catch {
            result = HTTPResult(ending: .unreachable(Self.describe(error)), body: Data())
        }
        try? await client.shutdown()
        return result
    }

    /// The URL's host resolved, every address checked against `PrivateAddress`, and the one to
    /// connect to; nil for an IP literal, which needs no pinning once checked.
    static func publicAddress(of url: String) async -> Result<(host: String, address: String)?, DryadError> {
        guard let host = URL(string: url)?.host, !host.isEmpty else { return .failure(.invalidInput("\(url) has no host")) }
        return await BlockingWork.run { () -> Result<(host: String, address: String)?, DryadError> in
            do throws(DryadError) {
                let addresses = try PrivateAddress.resolve(host)
                guard let first = addresses.first else { return .failure(.toolFailed("\(host) resolves to no address")) }
                for address in addresses {
                    if let kind = PrivateAddress.kind(of: address) {
                        let shown = address == host ? host : "\(host) (\(address))"
                        return .failure(
                            .permissionDenied("refused: \(shown) is a \(kind) address, which an HTTP executor reaches only with allow_private"))
                    }
                }
                return .success(first == host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")) ? nil : (host, first))
            } catch {
                return .failure(error)
            }
        }
    }

    private static func describe(_ error: any Error) -> String {
        // The short form carries no values: the full one quotes a refused header value, which
        // may hold a secret from dryad's environment.
        if let error = error as? HTTPClientError { return error.shortDescription }
        let text = String(describing: error)
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
