import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request body has not fully arrived `limit` after its head.
///
/// Hummingbird's idle timeout counts HTTP parts, so a head sent a byte at a time is cut off,
/// but every body byte is a part: a client trickling one byte a minute would hold its socket
/// (and the handler waiting for the body) for as long as it liked. Nothing is answered: the
/// route is still waiting for the body, and a response from here would race it.
final class RequestReadDeadline: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let limit: TimeAmount
    private var deadline: Scheduled<Void>?

    init(limit: TimeAmount) {
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            deadline?.cancel()
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: limit) { [weak self] in
                self?.deadline = nil
                context.close(promise: nil)
            }
        case .body:
            break
        case .end:
            deadline?.cancel()
            deadline = nil
        }
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }
}
