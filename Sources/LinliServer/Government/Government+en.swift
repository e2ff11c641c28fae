extension GovernmentStrings {
    /// English strings of government services (the same keys in every language; a test checks).
    static let en: [String: String] = [
        "notify.topic.applications": "Applications",
        "gov.note.received": "Your application was received. You can follow each step and the next due day in the app.",
        "gov.note.incomplete": "Your application is missing some materials: the list is on your application's page, all of it at once.",
        "gov.note.accept": "Your application was accepted; the decision is due by the day shown on its page.",
        "gov.note.help_first": "Help was given to you first; the materials can follow.",
        "gov.note.investigate": "Your household was visited for the investigation.",
        "gov.note.review": "Your application was reviewed.",
        "gov.note.publicize": "Your application is in publicity for seven days.",
        "gov.note.approve": "Your application was approved.",
        "gov.note.refuse": "Your application was refused; the written reasons will be handed to you.",
        "gov.note.notify": "The written reasons for the refusal were handed over.",
        "gov.note.withdraw": "Your application was withdrawn.",
        "gov.task.overdue": "An application is past its decision day",
        "reason.not_for_kind": "This step does not belong to this kind of application.",
        "reason.publicity_running": "Publicity runs seven days before the decision.",
        "reason.two_visitors": "The home visit needs two workers.",
        "reason.already_extended": "Already extended once.",
        "reason.window_closed": "Applications for this course are not open.",
        "reason.window_open": "The draw waits until applications close.",
        "reason.already_applied": "You have already applied to this course.",
        "reason.already_drawn": "This course was drawn already.",
        "gov.note.pensionDue": "The yearly pension authentication is due soon: do it in the app or at the office, or a family member may do it for you.",
        "gov.note.pensionOverdue": "The yearly pension authentication is overdue: the pension may be suspended. Please do it now or ask the community for a home visit.",
        "gov.task.homeVisit": "Home visit for a pension authentication",
    ]
}
