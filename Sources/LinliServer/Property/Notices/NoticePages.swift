import Fluent
import Foundation
import LinliCore
import Vapor

/// Notices for residents (`/notices`, opening one records its read receipt) and for publishers
/// (`/console/{c}/notices`: publish to the community, buildings or groups, read rates).
enum NoticePages {
    struct Item: Encodable {
        let href: String
        let title: String
        let category: String
        let time: String
        let pinned: Bool
        let unread: Bool
        let emergency: Bool
    }

    struct ListPage: Encodable {
        let items: [Item]
    }

    struct OnePage: Encodable {
        let title: String
        let category: String
        let time: String
        let paragraphs: [String]
    }

    struct StaffRow: Encodable {
        let title: String
        let category: String
        let time: String
        let audience: String
        let rate: String
        let withdraw: String
    }

    struct ConsolePage: Encodable {
        let header: ConsolePages.Header
        let rows: [StaffRow]
        let buildings: [ConsolePages.Option]
        let categories: [ConsolePages.Option]
        let groups: [ConsolePages.Option]
    }

    struct Form: Content {
        var category: String
        var title: String
        var body: String
        var buildingID: String?
        var group: String?
        var tv: String?
        var kiosk: String?
        var pinned: String?
        var days: String?
    }

    static func register(_ web: any RoutesBuilder) {
        Web.route(web, .GET, { _, _, _ in PropertyRoute.myNotices }, authority: .signedIn, myNoticesPage)
        Web.route(web, .GET, { n, _, _ in PropertyRoute.notice(n) }, authority: .object("noticeID"), noticePage)
        Web.route(web, .GET, { c, _, _ in PropertyRoute.notices(c) }, authority: .community { .publishNotices($0) }, noticesPage)
        Web.route(web, .POST, { c, _, _ in PropertyRoute.notices(c) }, authority: .community { .viewRegistry($0) }, postNotices)
        Web.route(web, .POST, { c, n, _ in PropertyRoute.noticeWithdraw(c, n) }, authority: .community { .viewRegistry($0) }, postNoticeWithdraw)
    }
}
