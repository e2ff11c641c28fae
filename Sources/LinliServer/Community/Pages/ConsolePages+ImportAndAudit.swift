import Fluent
import LinliCore
import Vapor

extension ConsolePages {
    /// CSV import and the audit log.
    static func registerImportAndAudit(_ web: any RoutesBuilder) {
        Web.route(web, .GET, { c, _, _ in RegistryRoute.importResidents(c) }, authority: .community { .manageRegistry($0) }, importResidentsPage)
        Web.route(web, .POST, { c, _, _ in RegistryRoute.importResidents(c) }, authority: .community { .viewRegistry($0) }, postImportResidents)
        Web.route(web, .GET, { c, _, _ in RegistryRoute.audit(c) }, authority: .community { .viewAudit($0) }, auditPage)
    }
}
