"""State-changing routes (``POST /admin/reload``); mounted only when an admin token is
configured, and left out of the published schema."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from indexer.errors import UnavailableError
from service.api.deps import HolderDep, require_admin

router = APIRouter(prefix="/admin", dependencies=[Depends(require_admin)], include_in_schema=False)


@router.post("/reload")
def reload_index(holder: HolderDep) -> dict[str, str]:
    """Load the published index now instead of at the next check."""
    if not holder.load():
        raise UnavailableError(holder.error or "reload failed")
    return {"status": "reloaded", "index": str(holder.current().index.path)}
