import Fluent
import Foundation
import LinliCore
import Vapor

extension NoticePages {
    @Sendable static func myNoticesPage(_ req: Request) async throws -> Response {
        let reading = try await Notices.reading(for: try req.user().principal, now: req.clock.now(), on: req)
        return try await req.render(
            "property/notices", title: req.t("notice.title"),
            ListPage(
                items: reading.notices.map { n in
                    Item(
                        href: PropertyRoute.notice(n.id ?? UUID()).path, title: n.title,
                        category: req.t("notice.category.\(n.category.rawValue)"),
                        time: ConsolePages.time(n.publishAt, req), pinned: n.pinned,
                        unread: !reading.read.contains(n.id ?? UUID()), emergency: n.category == .emergency)
                }))
    }

    @Sendable static func noticePage(_ req: Request) async throws -> Response {
        let notice = try await Notices.readable(req)
        try await Notices.markRead(notice, on: req)
        return try await req.render(
            "property/notice", title: notice.title,
            OnePage(
                title: notice.title, category: req.t("notice.category.\(notice.category.rawValue)"),
                time: ConsolePages.time(notice.publishAt, req),
                paragraphs: notice.body.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)))
    }

    @Sendable static func noticesPage(_ req: Request) async throws -> Response {
        let header = try await ConsolePages.header(req, current: "notices")
        try req.authorize(.publishNotices(header.id))
        let rows = try await Notices.staffList(header.id, on: req)
        let buildings = try await Building.scoped(to: header.id, on: req.db).sort(\.$name).all()
        let names = Building.byID(buildings)
        return try await req.render(
            "property/console-notices", title: req.t("console.tab.notices"),
            ConsolePage(
                header: header,
                rows: rows.map { n in
                    let places = n.buildingIDs.compactMap { names[$0]?.name }
                    let groups = n.groups.map { req.t("notice.group.\($0.rawValue)") }
                    let audience = (places.isEmpty ? [req.t("notice.everyone")] : places) + groups
                    return StaffRow(
                        title: (n.pinned ? "📌 " : "") + n.title,
                        category: req.t("notice.category.\(n.category.rawValue)"),
                        time: ConsolePages.time(n.publishAt, req), audience: audience.joined(separator: " · "),
                        rate: req.t(
                            "notice.rate",
                            [
                                "reads": "\(n.reads ?? 0)", "audience": "\(n.audience ?? 0)",
                                "rate": String(format: "%.1f", n.readRate ?? 0),
                            ]),
                        withdraw: PropertyRoute.noticeWithdraw(header.id, n.id).path)
                },
                buildings: [ConsolePages.Option(value: "", label: req.t("notice.everyone"))]
                    + buildings.map { ConsolePages.Option(value: $0.id?.uuidString ?? "", label: $0.name) },
                categories: Notice.Category.allCases.map {
                    ConsolePages.Option(value: $0.rawValue, label: req.t("notice.category.\($0.rawValue)"))
                },
                groups: [ConsolePages.Option(value: "", label: req.t("notice.allResidents"))]
                    + NoticeAudience.Group.allCases.map {
                        ConsolePages.Option(value: $0.rawValue, label: req.t("notice.group.\($0.rawValue)"))
                    }))
    }

    @Sendable static func postNotices(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        let form = try req.content.decode(Form.self)
        guard let category = Notice.Category(rawValue: form.category) else {
            throw LinliError.invalid("category", "invalid_value")
        }
        let days = Int(form.days ?? "") ?? 0
        guard (0...365).contains(days) else { throw LinliError.invalid("days", "out_of_range") }
        _ = try await Notices.publish(
            NoticeInput(
                category: category, title: form.title, body: form.body,
                buildingIDs: form.buildingID.flatMap { UUID(uuidString: $0) }.map { [$0] },
                groups: form.group.flatMap { NoticeAudience.Group(rawValue: $0) }.map { [$0] },
                channels: ["app"] + (form.tv != nil ? ["tv"] : []) + (form.kiosk != nil ? ["kiosk"] : []),
                publishAt: nil,
                expiresAt: days > 0 ? req.clock.now().addingTimeInterval(Double(days) * 86_400) : nil,
                pinned: form.pinned != nil ? true : nil), in: id, on: req)
        req.flash(req.t("notice.published"))
        return req.redirect(to: PropertyRoute.notices(id).path)
    }

    @Sendable static func postNoticeWithdraw(_ req: Request) async throws -> Response {
        let id = try req.id("communityID")
        try await Notices.withdraw(try req.id("noticeID"), in: id, on: req)
        req.flash(req.t("console.saved"))
        return req.redirect(to: PropertyRoute.notices(id).path)
    }
}
