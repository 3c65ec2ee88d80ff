/// What one page may still take: items up to its limit and bytes up to `PageRequest.maxBytes`.
///
/// The first item is always taken, however large (a context's data is capped on its own), so
/// every page moves the listing on.
struct PageBudget {
    let limit: Int
    private(set) var items = 0
    private(set) var bytes = 0

    init(limit: Int) {
        self.limit = limit
    }

    /// Takes an item of `size` bytes if the page has room for it.
    mutating func admits(bytes size: Int) -> Bool {
        if items > 0, items >= limit || bytes + size > PageRequest.maxBytes { return false }
        items += 1
        bytes += size
        return true
    }
}
