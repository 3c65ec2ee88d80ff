/// The listing, and its filters, that a cursor continues. A cursor carries the sort key of the
/// last item shown; given to another listing, or to the same one with other filters, it would
/// shift the page silently, so every listing wraps its cursors in its scope and refuses others.
struct CursorScope: Sendable, Equatable {
    /// The listing's name and a hash of its filters, as the first part of every cursor it makes.
    let tag: String

    /// - Parameters:
    ///   - listing: the listing's name, `memory.search` say.
    ///   - filters: every filter the listing was given, nil for one not given.
    init(_ listing: String, _ filters: [String?] = []) {
        tag = listing + ":" + StableHash.of(filters)
    }
}

extension PageRequest {
    /// The request validated, with its cursor unwrapped from `scope`'s wrapping; a cursor made
    /// by another listing or with other filters is refused.
    func validated(for scope: CursorScope) throws(DryadError) -> PageRequest {
        var page = try validated()
        if let cursor {
            let parts = try Cursor.decode(cursor, fields: 2)
            guard parts[0] == scope.tag else {
                throw .invalidInput("cursor: made by another listing or with other filters; start again without it")
            }
            page.cursor = parts[1]
        }
        return page
    }
}

extension Page {
    /// The page with its cursor wrapped in `scope`, for `PageRequest.validated(for:)` to check.
    func scoped(_ scope: CursorScope) -> Page {
        Page(items: items, nextCursor: nextCursor.map { Cursor.encode([scope.tag, $0]) })
    }
}
