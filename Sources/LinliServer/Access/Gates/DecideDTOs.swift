import Fluent
import Foundation
import LinliCore
import NIOConcurrencyHelpers
import SQLKit
import Vapor

struct DecidePerson: Content, Equatable {
    let id: UUID
    let maskedName: String
}

struct DecideAnswer: Content, Equatable {
    let allow: Bool
    let reason: String
    let person: DecidePerson?
    let score: Double?
}

/// A gate decision on the console's live feed.
struct AccessFeedEvent: Content {
    let event: String
    let gate: String
    let method: String
    let allow: Bool
    let reason: String
    let person: String?
}

/// The consent text residents accept before any face data is stored. A new version needs a new consent.
enum FaceConsentText {
    static let version = "2025-06-01.1"
}
