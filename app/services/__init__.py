"""Operations a clerk performs, each taking a session and returning what changed. No Qt."""
