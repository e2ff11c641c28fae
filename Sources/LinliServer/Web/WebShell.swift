import Vapor

/// The web shell: sign-in, account and display pages, and the console's frame and registry pages.
enum WebShell: Feature {
    static func register(_ app: Application) throws {
        Web.register(app)
        let sheet = try StyleSheet(resources: app.directory.resourcesDirectory)
        app.get("css", "linli.css") { req in sheet.serve(req) }
    }
}
