import Fluent
import Foundation
import LinliCore
import Vapor

struct ServiceInput: Content {
    let name: String
    let description: String?
    let priceCents: Int
    let durationMinutes: Int
    let capacity: Int
    /// `HH:MM-HH:MM`, China time.
    let hours: String
    let active: Bool?
}

struct ServiceOut: Content, Equatable {
    let id: UUID
    let name: String
    let description: String
    let priceCents: Int
    let durationMinutes: Int
    let capacity: Int
    let hours: String
    let active: Bool
}

struct BookingInput: Content {
    let householdID: UUID
    /// `YYYY-MM-DD` and `HH:MM`, China time: one of the service's slots.
    let day: String
    let start: String
    let payment: String
}

struct BookingOut: Content, Equatable {
    let id: UUID
    let serviceID: UUID
    let service: String
    let householdID: UUID
    let slotStart: Date
    let status: String
    let payment: String
    let amountCents: Int
    let paid: Bool
    let refunded: Bool
}

struct SlotOut: Content, Equatable {
    let start: Date
    let left: Int
}
