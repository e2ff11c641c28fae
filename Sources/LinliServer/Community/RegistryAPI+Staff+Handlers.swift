import Fluent
import FluentSQL
import LinliCore
import Vapor

extension RegistryAPI {
    @Sendable static func listStaff(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let options = try req.listOptions(.staff)
        let rows = try await StaffAssignment.scoped(to: id, on: req.db).page(options) { $0 }
        return ListPage(items: try await StaffRead.list(rows.items, on: req.db), metadata: rows.metadata)
    }

    @Sendable static func grantStaff(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let (assignment, person) = try await Registry.grantStaff(in: id, try req.decode(StaffCreate.self), on: req)
        return Created(value: try StaffRead(assignment, person: person))
    }

    @Sendable static func setStaffShift(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let assignment = try await StaffAssignment.find(try req.id("staffID"), in: id, on: req.db)
        try await Registry.setShift(assignment, try req.decode(StaffShiftUpdate.self).shift, on: req)
        return try StaffRead(assignment, person: try await Person.find(assignment.personID, on: req.db))
    }

    @Sendable static func setStaffSkills(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let assignment = try await StaffAssignment.find(try req.id("staffID"), in: id, on: req.db)
        try await Registry.setSkills(assignment, try req.decode(StaffSkillsUpdate.self).skills, on: req)
        return try StaffRead(assignment, person: try await Person.find(assignment.personID, on: req.db))
    }

    @Sendable static func revokeStaff(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        try await Registry.revokeStaff(
            try await StaffAssignment.find(try req.id("staffID"), in: id, on: req.db), on: req)
        return NoContent()
    }

    @Sendable static func listAudit(_ req: Request) async throws -> some AsyncResponseEncodable {
        let id = try req.scope.communityID()
        let options = try req.listOptions(.audit)
        var query = AuditEntry.scoped(to: id, on: req.db)
        if let q = options.query { query = query.filter(\.$entity ~~ q) }
        return try await query.page(options, map: AuditRead.init)
    }
}
