extension LifeStrings {
    /// English strings of community life (the same keys in every language; a test checks).
    static let en: [String: String] = [
        "notify.topic.life": "Community events",
        "life.ticket": "Ticket {code}",
        "life.note.promoted": "Someone cancelled: you moved up from the waitlist and have a seat. See you there.",
        "reason.already_registered": "You are already signed up for this event.",
        "reason.too_many_seats": "More seats than one sign-up may take.",
        "reason.ends_before_start": "The end must be after the start.",
        "reason.ticket_unknown": "No such ticket.",
        "reason.other_event": "This ticket is for another event.",
        "reason.cancelled": "This registration was cancelled.",
        "reason.waitlisted": "This registration is still on the waitlist.",
        "reason.already_in": "Already checked in.",
        "reason.not_in": "Not checked in, so cannot check out.",
        "reason.event_cancelled": "The event was cancelled.",
        "reason.event_over": "The event is over.",
    ]
}
