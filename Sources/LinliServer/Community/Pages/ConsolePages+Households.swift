import Fluent
import LinliCore
import Vapor

extension ConsolePages {
    /// Households, members, moving out.
    static func registerHouseholds(_ web: any RoutesBuilder) {
        Web.route(web, .POST, { c, h, _ in RegistryRoute.editHousehold(c, h) }, authority: .community { .manageRegistry($0) }, postEditHousehold)
        Web.route(web, .GET, { c, _, _ in RegistryRoute.households(c) }, authority: .community { .viewRegistry($0) }, householdsPage)
        Web.route(web, .POST, { c, _, _ in RegistryRoute.households(c) }, authority: .community { .manageRegistry($0) }, postHouseholds)
        Web.route(web, .GET, { c, h, _ in RegistryRoute.household(c, h) }, authority: .community { .viewRegistry($0) }, householdPage)
        Web.route(web, .POST, { c, h, _ in RegistryRoute.members(c, h) }, authority: .community { .manageRegistry($0) }, postMembers)
        Web.route(web, .POST, { c, h, m in RegistryRoute.moveOut(c, h, m) }, authority: .community { .manageRegistry($0) }, postMoveOut)
    }
}
