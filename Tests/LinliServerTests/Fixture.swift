import Foundation
import LinliCore
import Testing
import Vapor
import VaporTesting

@testable import LinliServer

/// What a test needs beyond the `World`, made through the real API as community A's operator: one
/// call instead of a copied request. Each expects success and says which request failed.
enum Fixture {
    /// A new building of community A.
    static func building(_ h: Harness, _ name: String, floors: Int = 6) async throws -> UUID {
        let made = try await h.send(
            .POST, h.community + "/buildings", token: try await h.token("operator"),
            raw: #"{"name":"\#(name)","floors":\#(floors)}"#)
        #expect(made.status == .created, "building \(name): \(made.text)")
        return try made.content.decode(BuildingRead.self).id
    }

    /// A new household of community A (in the world's building unless another is named).
    static func household(_ h: Harness, room: String, floor: Int = 1, in building: UUID? = nil) async throws -> UUID {
        let made = try await h.send(
            .POST, h.community + "/households", token: try await h.token("operator"),
            raw: #"{"buildingID":"\#(building ?? h.world.building)","floor":\#(floor),"room":"\#(room)","areaM2":80}"#)
        #expect(made.status == .created, "household \(room): \(made.text)")
        return try made.content.decode(HouseholdRead.self).id
    }

    /// A new resident of a household of community A.
    static func resident(
        _ h: Harness, _ name: String, phone: String, in household: UUID, relation: HouseholdRelation = .owner,
        birthYear: Int? = nil, isChild: Bool = false
    ) async throws -> PersonRead {
        let year = birthYear.map { #","birthYear":\#($0)"# } ?? ""
        let made = try await h.send(
            .POST, h.community + "/residents", token: try await h.token("operator"),
            raw:
                #"{"name":"\#(name)","phone":"\#(phone)","householdID":"\#(household)","relation":"\#(relation.rawValue)","isChild":\#(isChild)\#(year)}"#
        )
        #expect(made.status == .created, "resident \(name): \(made.text)")
        return try made.content.decode(PersonRead.self)
    }

    /// A new staff member of community A with this role and a password, and their bearer token.
    static func token(
        _ role: StaffRole, _ h: Harness, phone: String, name: String = "新员工", shift: String? = nil
    ) async throws -> (staff: StaffRead, token: String) {
        let password = "first-pass-1"
        var body: [String: String] = ["phone": phone, "name": name, "role": role.rawValue, "password": password]
        if let shift { body["shift"] = shift }
        let made = try await h.send(.POST, h.community + "/staff", token: try await h.token("operator"), json: body)
        #expect(made.status == .created, "staff \(phone): \(made.text)")
        let signIn = try await h.send(.POST, "/api/v1/auth/token", json: ["phone": phone, "password": password])
        #expect(signIn.status == .ok, "sign-in of \(phone)")
        return (try made.content.decode(StaffRead.self), try signIn.content.decode(TokenResponse.self).token)
    }
}
