extension GovernmentStrings {
    /// 政务服务的中文文字（各语言的键相同；有测试检查）。
    static let zhCN: [String: String] = [
        "notify.topic.applications": "办事进度",
        "gov.note.received": "您的申请已收到，可在应用中查看每一步进度和下一个办理时限。",
        "gov.note.incomplete": "您的申请材料不全，需补充的材料已一次性列在申请页面。",
        "gov.note.accept": "您的申请已受理，办结时限见申请页面。",
        "gov.note.help_first": "已先行救助，材料可后补。",
        "gov.note.investigate": "已完成入户调查。",
        "gov.note.review": "您的申请已审核。",
        "gov.note.publicize": "您的申请进入为期七天的公示。",
        "gov.note.approve": "您的申请已批准。",
        "gov.note.refuse": "您的申请未获批准，将书面告知理由。",
        "gov.note.notify": "已书面告知不予批准的理由。",
        "gov.note.withdraw": "您的申请已撤回。",
        "gov.task.overdue": "有申请已超过办结时限",
        "reason.not_for_kind": "此类申请没有这一步。",
        "reason.publicity_running": "公示期满七天后才能作出决定。",
        "reason.two_visitors": "入户调查需两名工作人员。",
        "reason.already_extended": "已延期过一次。",
        "reason.window_closed": "该课程不在报名期内。",
        "reason.window_open": "报名截止后才能抽签。",
        "reason.already_applied": "您已报名该课程。",
        "reason.already_drawn": "该课程已抽签。",
        "gov.note.pensionDue": "养老金待遇资格认证即将到期：可在手机上或到社区办理，也可由家人代办。",
        "gov.note.pensionOverdue": "养老金待遇资格认证已逾期，养老金可能暂停发放，请尽快办理或请社区上门。",
        "gov.task.homeVisit": "上门办理养老金资格认证",
    ]
}
