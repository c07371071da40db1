"""Server-rendered pages. Views stay thin: they read input, call a selector or a service, and
render; see paperfeed/community and paperfeed/accounts for the rules."""
