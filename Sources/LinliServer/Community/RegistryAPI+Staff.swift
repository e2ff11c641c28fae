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
            in: app, listStaff)
        api.register(
            .init(
                method: .POST, path: c + "/staff", operationID: "grantStaff", summary: "Grant a staff role",
                tag: "registry", authority: .community { .manageStaff($0) }, body: Schema.ref("StaffCreate"), status: .created,
                response: Schema.ref("Staff")), in: app, grantStaff)
        api.register(
            .init(
                method: .PUT, path: c + "/staff/{staffID}/shift", operationID: "setStaffShift",
                summary: "Set the hours a staff role is on duty (gates refuse them outside), or null for all day",
                tag: "registry", authority: .community { .manageStaff($0) }, body: Schema.ref("StaffShiftUpdate"), response: Schema.ref("Staff")), in: app, setStaffShift)
        api.register(
            .init(
                method: .PUT, path: c + "/staff/{staffID}/skills", operationID: "setStaffSkills",
                summary: "Set the work-order skills of a staff role (empty: takes any request)", tag: "registry", authority: .community { .manageStaff($0) },
                body: Schema.ref("StaffSkillsUpdate"), response: Schema.ref("Staff")), in: app, setStaffSkills)
        api.register(
            .init(
                method: .DELETE, path: c + "/staff/{staffID}", operationID: "revokeStaff",
                summary: "Revoke a staff role", tag: "registry", authority: .community { .manageStaff($0) }, status: .noContent), in: app, revokeStaff)
        api.register(
            .init(
                method: .GET, path: c + "/audit", operationID: "listAudit", summary: "Audit log of staff writes",
                tag: "registry", authority: .community { .viewAudit($0) }, response: Schema.page(of: "AuditEntry"),
                query: Endpoint.listQuery(.audit)), in: app, listAudit)
    }
}
