import Vapor

/// The web shell: sign-in, account and display pages, and the console's frame and registry pages.
enum WebShell: Feature {
    static func register(_ app: Application) { Web.register(app) }
}
