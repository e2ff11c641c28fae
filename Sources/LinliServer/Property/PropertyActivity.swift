import Fluent
import Foundation
import LinliCore
import Vapor

/// The property's part of who is active: homes that filed a request (by the channel it came through),
/// booked a service or read a notice on a day.
enum PropertyActivity {
    static let channels: [String: String] = ["app": "app", "tv": "tv", "kiosk": "kiosk"]

    static func register(_ app: Application) {
        app.operationsFigures.addActivity("property") { community, day, db in
            let (start, end) = ActivityDay.window(day)
            let orders = try await WorkOrder.query(on: db).filter(\.$communityID == community).filter(\.$createdAt >= start)
                .filter(\.$createdAt < end).all()
            let bookings = try await Booking.query(on: db).filter(\.$communityID == community).filter(\.$createdAt >= start)
                .filter(\.$createdAt < end).all()
            let readers = try await NoticeRead.query(on: db).join(Notice.self, on: \NoticeRead.$noticeID == \Notice.$id)
                .filter(Notice.self, \.$communityID == community).filter(\.$readAt >= start).filter(\.$readAt < end).all().map(\.personID)
            let homes = try await ActivityDay.homes(of: readers, in: community, on: db).values
            return orders.compactMap { order in channels[order.channel].map { (order.householdID, $0) } }
                + bookings.map { ($0.householdID, "app") } + homes.map { ($0, "app") }
        }
    }
}
