import Hummingbird
import Synchronization

/// The methods each route path answers, for a 405's `Allow` header (RFC 9110 §15.5.6): a
/// known path asked with another method is "method not allowed", not "no route". Filled once
/// the route table is complete, since the edge middleware joins the router before the routes.
final class AllowedMethods: Sendable {
    /// Path patterns split into segments (`{name}` matches any one segment), with their methods.
    private let routes = Mutex<[(segments: [String], methods: Set<String>)]>([])

    func fill(from specs: [RouteSpec]) {
        var byPath: [String: Set<String>] = [:]
        for spec in specs {
            byPath[spec.path, default: []].insert(spec.method.rawValue)
            // The router answers HEAD wherever it answers GET.
            if spec.method == .get { byPath[spec.path, default: []].insert(HTTPRequest.Method.head.rawValue) }
        }
        routes.withLock { routes in
            routes = byPath.map { (Self.segments($0.key), $0.value) }
        }
    }

    /// The methods of the routes whose pattern matches `path`, sorted; empty when none does.
    func methods(for path: String) -> [String] {
        let asked = Self.segments(path)
        return routes.withLock { routes in
            var methods: Set<String> = []
            for route in routes where route.segments.count == asked.count {
                let matches = zip(route.segments, asked).allSatisfy { pattern, segment in
                    pattern.hasPrefix("{") && pattern.hasSuffix("}") ? !segment.isEmpty : pattern == segment
                }
                if matches { methods.formUnion(route.methods) }
            }
            return methods.sorted()
        }
    }

    private static func segments(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
    }
}
