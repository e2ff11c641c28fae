import Fluent
import Foundation
import LinliCore
import Vapor

/// Services for residents (`/services`: book a slot, my bookings, cancel) and for operators
/// (`/console/{c}/services`: the catalogue, today's bookings to fulfil, revenue by month).
enum ServicePages {
    struct Card: Encodable {
        let name: String
        let description: String
        let price: String
        let action: String
        let householdID: String
        let slots: [ConsolePages.Option]
    }

    struct Mine: Encodable {
        let service: String
        let time: String
        let status: String
        let price: String
        let cancel: String?
    }

    struct Page: Encodable {
        let day: String
        let cards: [Card]
        let mine: [Mine]
    }

    struct BookingRow: Encodable {
        let service: String
        let time: String
        let home: String
        let status: String
        let fulfil: String?
    }

    struct RevenueRow: Encodable {
        let service: String
        let period: String
        let bookings: Int
        let yuan: String
    }

    struct ServiceLine: Encodable {
        let name: String
        let price: String
        let minutes: Int
        let hours: String
        let capacity: Int
    }

    struct ConsolePage: Encodable {
        let header: ConsolePages.Header
        let services: [ServiceLine]
        let bookings: [BookingRow]
        let revenue: [RevenueRow]
    }

    static func yuan(_ cents: Int) -> String { String(format: "¥%.2f", Double(cents) / 100) }

    static func register(_ web: any RoutesBuilder) {
        Web.route(web, .GET, { _, _, _ in PropertyRoute.myServices }, authority: .signedIn, myServicesPage)
        Web.route(web, .POST, { s, _, _ in PropertyRoute.serviceBook(s) }, authority: .object("serviceID"), postServiceBook)
        Web.route(web, .POST, { b, _, _ in PropertyRoute.bookingCancel(b) }, authority: .object("bookingID"), postBookingCancel)
        Web.route(web, .GET, { c, _, _ in PropertyRoute.services(c) }, authority: .community { .dispatchWorkOrders($0) }, servicesPage)
        Web.route(web, .POST, { c, b, _ in PropertyRoute.bookingFulfil(c, b) }, authority: .community { .viewRegistry($0) }, postBookingFulfil)
    }
}
