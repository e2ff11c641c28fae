import Fluent
import LinliCore
import Vapor

extension ConsolePages {
    /// The community list, overview, buildings and community settings.
    static func registerCommunity(_ web: any RoutesBuilder) {
        web.get("console", use: consolePage)
        web.post("console", "communities", use: postConsoleCommunities)
        Web.route(web, .GET, { c, _, _ in RegistryRoute.community(c) }, authority: .community { .viewRegistry($0) }, communityPage)
        Web.route(web, .POST, { c, _, _ in RegistryRoute.buildings(c) }, authority: .community { .manageRegistry($0) }, postBuildings)
        Web.route(web, .POST, { c, _, _ in RegistryRoute.editCommunity(c) }, authority: .community { .manageCommunity($0) }, postEditCommunity)
        Web.route(web, .POST, { c, _, _ in RegistryRoute.editBuilding(c) }, authority: .community { .manageRegistry($0) }, postEditBuilding)
    }
}
