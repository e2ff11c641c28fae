import Fluent
import LinliCore
import Vapor

extension ConsolePages {
    /// CSV import and the audit log.
    static func registerImportAndAudit(_ web: any RoutesBuilder) {
        Web.route(web, .GET, { c, _, _ in RegistryRoute.importResidents(c) }, importResidentsPage)
        Web.route(web, .POST, { c, _, _ in RegistryRoute.importResidents(c) }, postImportResidents)
        Web.route(web, .GET, { c, _, _ in RegistryRoute.audit(c) }, auditPage)
    }
}
