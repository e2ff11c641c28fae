import Foundation
import LinliCore
import Vapor

struct TokenRequest: Decodable {
    let phone: String
    let password: String
}

/// `POST /api/v1/auth/password-reset`: the code an operator handed over, and the new password.
struct ResetCompletion: Decodable {
    let phone: String
    let code: String
    let newPassword: String
}

/// A reset code, shown once to the operator who started it.
struct ResetStarted: Content {
    let code: String
    let expiresAt: Date
}

struct TokenResponse: Content {
    let token: String
    let expiresAt: Date
}

/// `GET /api/v1/me`: the person, their settings, roles and households.
struct MeRead: Content {
    struct Role: Content {
        let communityID: UUID
        let communityName: String
        let role: StaffRole
    }

    struct Home: Content {
        let householdID: UUID
        let communityID: UUID
        let communityName: String
        let building: String
        let room: String
        let floor: Int
        let areaM2: Double
        let relation: HouseholdRelation
    }

    let person: PersonRead
    let isAdmin: Bool
    let settings: DisplaySettings
    let roles: [Role]
    let households: [Home]
}

/// How pages look for this person: language, elder mode (长辈版), high contrast, text size.
struct DisplaySettings: Content, Equatable {
    var language: Language?
    var elderMode: Bool
    var highContrast: Bool
    /// 1 normal, 2 large, 3 larger, 4 largest (elder mode 18 pt up to 30 pt and beyond).
    var textSize: Int
}

struct MeUpdate: Decodable {
    let language: Language?
    let elderMode: Bool?
    let highContrast: Bool?
    let textSize: Int?
    let currentPassword: String?
    let newPassword: String?
}
