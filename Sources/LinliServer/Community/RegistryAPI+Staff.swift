import Fluent
import FluentSQL
import LinliCore
import Vapor

extension RegistryAPI {
    /// Staff roles and the audit log.
    static func registerStaffAndAudit(_ app: Application, _ api: any RoutesBuilder) {
        api.register(
            .init(
                method: .GET, path: c + "/staff", operationID: "listStaff", summary: "Staff roles",
                tag: "registry", authority: .community { .viewRegistry($0) }, response: Schema.page(of: "Staff"), query: Endpoint.listQuery(.staff)),
            in: app
        ) { req in
            let id = try req.scope.communityID()
            let options = try req.listOptions(.staff)
            let rows = try await StaffAssignment.scoped(to: id, on: req.db).page(options) { $0 }
            return ListPage(items: try await StaffRead.list(rows.items, on: req.db), metadata: rows.metadata)
        }
        api.register(
            .init(
                method: .POST, path: c + "/staff", operationID: "grantStaff", summary: "Grant a staff role",
                tag: "registry", authority: .community { .manageStaff($0) }, body: Schema.ref("StaffCreate"), status: .created,
                response: Schema.ref("Staff")), in: app
        ) { req in
            let id = try req.scope.communityID()
            let (assignment, person) = try await Registry.grantStaff(in: id, try req.decode(StaffCreate.self), on: req)
            return Created(value: try StaffRead(assignment, person: person))
        }
        api.register(
            .init(
                method: .PUT, path: c + "/staff/{staffID}/shift", operationID: "setStaffShift",
                summary: "Set the hours a staff role is on duty (gates refuse them outside), or null for all day",
                tag: "registry", authority: .community { .manageStaff($0) }, body: Schema.ref("StaffShiftUpdate"), response: Schema.ref("Staff")), in: app
        ) { req in
            let id = try req.scope.communityID()
            let assignment = try await StaffAssignment.find(try req.id("staffID"), in: id, on: req.db)
            try await Registry.setShift(assignment, try req.decode(StaffShiftUpdate.self).shift, on: req)
            return try StaffRead(assignment, person: try await Person.find(assignment.personID, on: req.db))
        }
        api.register(
            .init(
                method: .PUT, path: c + "/staff/{staffID}/skills", operationID: "setStaffSkills",
                summary: "Set the work-order skills of a staff role (empty: takes any request)", tag: "registry", authority: .community { .manageStaff($0) },
                body: Schema.ref("StaffSkillsUpdate"), response: Schema.ref("Staff")), in: app
        ) { req in
            let id = try req.scope.communityID()
            let assignment = try await StaffAssignment.find(try req.id("staffID"), in: id, on: req.db)
            try await Registry.setSkills(assignment, try req.decode(StaffSkillsUpdate.self).skills, on: req)
            return try StaffRead(assignment, person: try await Person.find(assignment.personID, on: req.db))
        }
        api.register(
            .init(
                method: .DELETE, path: c + "/staff/{staffID}", operationID: "revokeStaff",
                summary: "Revoke a staff role", tag: "registry", authority: .community { .manageStaff($0) }, status: .noContent), in: app
        ) { req in
            let id = try req.scope.communityID()
            try await Registry.revokeStaff(
                try await StaffAssignment.find(try req.id("staffID"), in: id, on: req.db), on: req)
            return NoContent()
        }
        api.register(
            .init(
                method: .GET, path: c + "/audit", operationID: "listAudit", summary: "Audit log of staff writes",
                tag: "registry", authority: .community { .viewAudit($0) }, response: Schema.page(of: "AuditEntry"),
                query: Endpoint.listQuery(.audit)), in: app
        ) { req in
            let id = try req.scope.communityID()
            let options = try req.listOptions(.audit)
            var query = AuditEntry.scoped(to: id, on: req.db)
            if let q = options.query { query = query.filter(\.$entity ~~ q) }
            return try await query.page(options, map: AuditRead.init)
        }
    }
}
