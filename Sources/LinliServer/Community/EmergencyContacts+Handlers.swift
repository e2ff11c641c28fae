import Fluent
import Foundation
import LinliCore
import Vapor

extension EmergencyContacts {
    @Sendable static func listEmergencyContacts(_ req: Request) async throws -> some AsyncResponseEncodable {
        let household = try req.scope.home()
        return EmergencyContactList(
            contacts: try await list(try household.requireID(), on: req.db).map {
                EmergencyContactRead(name: $0.name, phone: $0.phone, relation: $0.relation)
            })
    }

    @Sendable static func setEmergencyContacts(_ req: Request) async throws -> some AsyncResponseEncodable {
        let household = try req.scope.home()
        return try await replace(household, try req.decode(EmergencyContactListInput.self).contacts, on: req)
    }
}
