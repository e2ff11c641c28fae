import Fluent
import Foundation
import LinliCore
import Vapor

/// The home services' part of the demand figures: bookings made in the period, by service and by the
/// hour of the slot booked (China time), and how many were cancelled.
enum BookingFigures {
    static func register(_ app: Application) {
        app.operationsFigures.readsDays(by: IndexSQL.Migration("bookings_community_created", on: Booking.schema, ["community_id", "created_at"]))
        app.operationsFigures.addDaily("bookings") { community, day, db in
            let (start, end) = ActivityDay.window(day)
            let made = try await Booking.query(on: db).filter(\.$communityID == community).filter(\.$createdAt >= start)
                .filter(\.$createdAt < end).all()
            var out: [String: Double] = ["bookings.made": Double(made.count)]
            for booking in made {
                out["bookings.service.\(booking.serviceID)", default: 0] += 1
                out["bookings.hour.\(Calendar.china.component(.hour, from: booking.slotStart))", default: 0] += 1
                if booking.status == .cancelled { out["bookings.cancelled", default: 0] += 1 }
            }
            return out
        }
        app.operationsFigures.add("bookings", order: 45, audience: { .viewAnalytics($0) }) { c in
            let names = Service.byID(try await Service.query(on: c.db).filter(\.$communityID == c.community).all())
            return .object([
                ("made", .int(c.int("bookings.made"))), ("cancelled", .int(c.int("bookings.cancelled"))),
                ("byService", .object(c.under("bookings.service").map { key, value in
                    (UUID(uuidString: key).flatMap { names[$0]?.name } ?? key, .int(Int(value.rounded())))
                })),
                ("bySlotHour", .array((0..<24).map { .int(c.int("bookings.hour.\($0)")) })),
            ])
        }
    }
}
