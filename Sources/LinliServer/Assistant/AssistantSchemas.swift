/// The assistant's request and response shapes, for the OpenAPI document.
enum AssistantSchemas {
    static let ask = Schema.object(
        [("question", Schema.string(min: 1, max: Answers.maxQuestion)), ("communityID", Schema.uuid)], required: ["question"])

    static let importInput = Schema.object(
        [
            ("key", Schema.string(min: 1, max: 60, pattern: "^[A-Za-z0-9._-]+$")), ("title", Schema.string(min: 1, max: 120)),
            ("kind", Schema.enumeration(KnowledgeBase.kinds)), ("issuer", Schema.string(max: 120)), ("effectiveOn", Schema.date),
            ("expiresOn", Schema.date), ("link", Schema.string(max: 500)),
            ("format", Schema.enumeration(["markdown", "text", "jsonl"])), ("content", Schema.string(min: 1, max: KnowledgeBase.maxContent)),
        ], required: ["key", "title", "kind", "format", "content"])

    static let source = Schema.object(
        [
            ("title", Schema.string()), ("article", Schema.nullable(Schema.string())), ("issuer", Schema.string()),
            ("effectiveOn", Schema.nullable(Schema.string())), ("link", Schema.nullable(Schema.string())), ("kind", Schema.string()),
        ], required: ["title", "issuer", "kind"])

    static let all: [(String, JSONValue)] = [
        (
            "QAAnswer",
            Schema.object(
                [
                    ("questionID", Schema.uuid), ("question", Schema.string()),
                    (
                        "answers",
                        Schema.array(
                            Schema.object(
                                [
                                    ("passageID", Schema.uuid), ("title", Schema.string()), ("excerpt", Schema.string()),
                                    ("marks", Schema.array(Schema.array(Schema.integer()))), ("source", source), ("score", Schema.number),
                                ], required: ["passageID", "title", "excerpt", "marks", "source", "score"]))
                    ),
                    ("confident", Schema.bool), ("handoff", Schema.nullable(Schema.object([("path", Schema.string())], required: ["path"]))),
                ], required: ["questionID", "question", "answers", "confident"])
        ),
        (
            "Consultation",
            Schema.object(
                [
                    ("id", Schema.uuid), ("questionID", Schema.uuid), ("question", Schema.string()),
                    ("status", Schema.enumeration(["open", "answered"])), ("reply", Schema.nullable(Schema.string())),
                    ("repliedAt", Schema.nullable(Schema.dateTime)), ("savedAsFAQ", Schema.bool), ("createdAt", Schema.dateTime),
                ], required: ["id", "questionID", "question", "status", "savedAsFAQ", "createdAt"])
        ),
        (
            "KnowledgeCollection",
            Schema.object(
                [
                    ("id", Schema.uuid), ("key", Schema.string()), ("title", Schema.string()), ("kind", Schema.string()),
                    ("issuer", Schema.string()), ("effectiveOn", Schema.nullable(Schema.string())),
                    ("expiresOn", Schema.nullable(Schema.string())), ("link", Schema.nullable(Schema.string())),
                    ("version", Schema.integer()), ("passages", Schema.integer()), ("ownedByCommunity", Schema.bool),
                    ("importedAt", Schema.dateTime),
                ], required: ["id", "key", "title", "kind", "version", "passages", "ownedByCommunity", "importedAt"])
        ),
        (
            "AskedQuestion",
            Schema.object(
                [
                    ("id", Schema.uuid), ("text", Schema.string()), ("topic", Schema.string()), ("confident", Schema.bool),
                    ("helpful", Schema.nullable(Schema.bool)), ("channel", Schema.string()), ("askedAt", Schema.dateTime),
                ], required: ["id", "text", "topic", "confident", "channel", "askedAt"])
        ),
    ]
}
