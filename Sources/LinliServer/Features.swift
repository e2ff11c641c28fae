/// Every feature of Linli, in the order they register (a feature's migrations after those it refers to).
enum Features {
    static let all: [any Feature.Type] = [
        CommunityRegistry.self, Identity.self, Devices.self, Access.self, Contacts.self, Property.self, HomeSecurityFeature.self, ElderCare.self,
        SmartEnvironment.self, Wallet.self, Meters.self, CommunityLife.self, GovernmentServices.self, Assistant.self, SelfService.self, TVChannel.self, Analytics.self,
        WebShell.self,
    ]
}
