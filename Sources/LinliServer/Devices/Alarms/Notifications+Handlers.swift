import Fluent
import LinliCore
import Vapor

extension Notifications {
    @Sendable static func listMyNotifications(_ req: Request) async throws -> some AsyncResponseEncodable {
        let options = try req.listOptions(.notifications)
        guard var query = Notifications.query(for: try req.user().principal, on: req.db) else {
            return ListPage<NotificationRead>(
                items: [], metadata: PageMetadata(page: options.page, per: options.per, total: 0))
        }
        if let q = options.query { query = query.filter(\.$title ~~ q) }
        return try await query.page(options, map: { try NotificationRead($0, req) })
    }
}
