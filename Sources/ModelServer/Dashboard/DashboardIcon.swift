/// The dashboard's icon (`GET /favicon.svg`): a progress bar, so a browser tab has an icon
/// without a request that ends in 404.
enum DashboardIcon {
    static let svg = #"""
    <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">
    <rect x="1" y="6" width="14" height="4" rx="2" fill="#d0d7de"/>
    <rect x="1" y="6" width="9" height="4" rx="2" fill="#0969da"/>
    </svg>

    """#
}
