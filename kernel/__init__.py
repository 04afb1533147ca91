"""Cross-cutting platform code shared by every app: health, request ids, problem details,
service-to-service plumbing. No business rules live here."""
