import Foundation

/// One page of a listing and the cursor that continues it.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    /// Opaque; pass it back to get the next page. Nil on the last page.
    public var nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

extension Page {
    /// The first `limit` of `fetched` (which holds up to `limit + 1` rows, the extra one only to
    /// tell whether more follow), with a cursor made from the last item's sort key.
    static func slice(_ fetched: [Item], limit: Int, key: (Item) -> [String]) -> Page {
        let items = Array(fetched.prefix(limit))
        let next = fetched.count > limit ? items.last.map { Cursor.encode(key($0)) } : nil
        return Page(items: items, nextCursor: next)
    }
}

extension Page: Encodable where Item: Encodable {
    enum CodingKeys: String, CodingKey {
        case items
        case nextCursor = "next_cursor"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(items, forKey: .items)
        try c.encode(nextCursor, forKey: .nextCursor)
    }
}
