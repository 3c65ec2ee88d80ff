import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request body has not fully arrived `limit` after the server
/// began reading it.
///
/// Hummingbird's idle timeout counts HTTP parts, so a head sent a byte at a time is cut off,
/// but every body byte is a part: a client trickling one byte a minute would hold its socket
/// (and the handler waiting for the body) for as long as it liked. The clock runs only while
/// the request is the one being served: a pipelined request waits, unread, behind the one
/// before it (a long tool run), and that wait is the server's, not the client's. Nothing is
/// answered on timeout: the route is still waiting for the body, and a response would race it.
final class RequestReadDeadline: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limit: TimeAmount
    private var deadline: Scheduled<Void>?
    /// Requests whose head arrived and whose response has not ended.
    private var unanswered = 0
    /// Between a request's head and the end of its body.
    private var reading = false

    init(limit: TimeAmount) {
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            unanswered += 1
            reading = true
            if unanswered == 1 { arm(context) }
        case .body:
            break
        case .end:
            reading = false
            cancel()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            unanswered = max(0, unanswered - 1)
            // The request still being read is now the one served: its clock starts.
            if reading && unanswered == 1 { arm(context) }
        }
        context.write(data, promise: promise)
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancel()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancel()
    }

    private func arm(_ context: ChannelHandlerContext) {
        cancel()
        deadline = context.eventLoop.assumeIsolated().scheduleTask(in: limit) { [weak self] in
            self?.deadline = nil
            context.close(promise: nil)
        }
    }

    private func cancel() {
        deadline?.cancel()
        deadline = nil
    }
}
