"""What every accounts writer shares: the refusal with a safe message, and how one-time codes are made and kept."""
import hashlib
import secrets


class AccountError(ValueError):
    """A refusal with a message that is safe to show."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _digest(code: str) -> str:
    """Codes are stored only as digests, like passwords, so a database copy cannot use them."""
    return hashlib.sha256(code.strip().upper().replace("-", "").replace(" ", "").encode()).hexdigest()


def _readable_code(n: int = 10) -> str:
    """A code that is easy to type: no 0/O or 1/I, grouped in fives."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    raw = "".join(secrets.choice(alphabet) for _ in range(n))
    return "-".join(raw[i:i + 5] for i in range(0, n, 5))
