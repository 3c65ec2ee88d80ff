/// The one place that decides whether a principal may perform an action.
///
/// Until principals and grants exist, only admins (the local operator) may act; later
/// rules (tool grants, audit of every decision) are added here, not in callers.
enum AccessPolicy {
    static func authorize(_ principal: Principal, _ action: String, resource: String) throws(DryadError) {
        guard principal.role == .admin else {
            throw .permissionDenied("\(principal.name) may not \(action) \(resource)")
        }
    }
}
