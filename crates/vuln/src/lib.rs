//! onestop-vuln.
