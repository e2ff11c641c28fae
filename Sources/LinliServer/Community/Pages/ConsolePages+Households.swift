import Fluent
import LinliCore
import Vapor

extension ConsolePages {
    /// Households, members, moving out.
    static func registerHouseholds(_ web: any RoutesBuilder) {
        Web.route(web, .POST, { c, h, _ in RegistryRoute.editHousehold(c, h) }, postEditHousehold)
        Web.route(web, .GET, { c, _, _ in RegistryRoute.households(c) }, householdsPage)
        Web.route(web, .POST, { c, _, _ in RegistryRoute.households(c) }, postHouseholds)
        Web.route(web, .GET, { c, h, _ in RegistryRoute.household(c, h) }, householdPage)
        Web.route(web, .POST, { c, h, _ in RegistryRoute.members(c, h) }, postMembers)
        Web.route(web, .POST, { c, h, m in RegistryRoute.moveOut(c, h, m) }, postMoveOut)
    }
}
