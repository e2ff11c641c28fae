extension LifeStrings {
    /// 社区活动的中文文字（各语言的键相同；有测试检查）。
    static let zhCN: [String: String] = [
        "notify.topic.life": "社区活动",
        "life.ticket": "活动票 {code}",
        "life.note.promoted": "有人退出，您已从候补转为报名成功，请按时参加。",
        "reason.already_registered": "您已报名此活动。",
        "reason.too_many_seats": "每次报名的人数超出限制。",
        "reason.ends_before_start": "结束时间必须晚于开始时间。",
        "reason.ticket_unknown": "无此票码。",
        "reason.other_event": "这是其他活动的票。",
        "reason.cancelled": "该报名已取消。",
        "reason.waitlisted": "该报名仍在候补中。",
        "reason.already_in": "已签到。",
        "reason.not_in": "尚未签到，无法签退。",
        "reason.event_cancelled": "活动已取消。",
        "reason.event_over": "活动已结束。",
    ]
}
