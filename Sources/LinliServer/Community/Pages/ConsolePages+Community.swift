import Fluent
import LinliCore
import Vapor

extension ConsolePages {
    /// The community list, overview, buildings and community settings.
    static func registerCommunity(_ web: any RoutesBuilder) {
        web.get("console", use: consolePage)
        web.post("console", "communities", use: postConsoleCommunities)
        Web.route(web, .GET, { c, _, _ in RegistryRoute.community(c) }, communityPage)
        Web.route(web, .POST, { c, _, _ in RegistryRoute.buildings(c) }, postBuildings)
        Web.route(web, .POST, { c, _, _ in RegistryRoute.editCommunity(c) }, postEditCommunity)
        Web.route(web, .POST, { c, _, _ in RegistryRoute.editBuilding(c) }, postEditBuilding)
    }
}
