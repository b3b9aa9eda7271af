"""One APIRouter per resource; ``service.api.main`` mounts them all."""
