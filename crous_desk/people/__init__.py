"""People: staff accounts and what an account may be (``staff``, ``accounts``), passphrases and
signing in (``auth``, ``sign_in``), and reading the audit log (``audit``)."""
