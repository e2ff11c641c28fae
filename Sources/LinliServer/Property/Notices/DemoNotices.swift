import Fluent
import Foundation
import LinliCore
import Vapor

extension Notices {
    /// The demo community's recent notices (none of them an emergency, so the demo shows no banner).
    static func seedDemo(_ db: any Database, community: UUID, by author: UUID, buildings: [Building], now: Date)
        async throws
    {
        let first = buildings.sorted { $0.name < $1.name }.first?.id
        let rows: [(Notice.Category, String, String, NoticeAudience, Bool, Double)] = [
            (.property, "本周六上午二次供水水箱清洗", "周六 8:00–12:00 停水，请提前储水。\n给您带来不便，敬请谅解。", .init(), true, 2),
            (.policy, "重庆市60岁以上老人免费乘坐公交政策说明", "持老年优待证即可免费乘坐市内公交。\n可到社区居委会咨询办理。", .init(groups: [.elderly]), false, 5),
            (.event, "社区亲子运动会报名", "下周日上午在中心广场举行，欢迎带孩子参加。", .init(groups: [.parents]), false, 3),
            (.property, "1栋电梯年检", "本周四 14:00–16:00 1栋电梯年检暂停使用。", .init(buildings: first.map { [$0] } ?? []), false, 1),
            (.event, "智慧社区开放日：教您用电视办事", "社区工作者现场教老人用电视遥控器报修、看通知。", .init(groups: [.elderly]), false, 8),
        ]
        for (category, title, body, audience, pinned, daysAgo) in rows {
            let notice = Notice()
            notice.communityID = community
            notice.category = category
            notice.title = title
            notice.body = body
            notice.audience = String(decoding: try JSONEncoder().encode(audience), as: UTF8.self)
            notice.channels = "app,kiosk,tv"
            notice.publishAt = now.addingTimeInterval(-daysAgo * 86_400)
            notice.pinned = pinned
            notice.createdBy = author
            notice.createdAt = notice.publishAt
            try await notice.create(on: db)
        }
    }
}
