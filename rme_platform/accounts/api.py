from django.conf import settings
from rest_framework import generics, serializers

from . import services
from .models import User


class MeSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)
    role_label = serializers.CharField(read_only=True)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "full_name",
            "language",
            "role",
            "role_label",
            "is_staff",
        ]
        read_only_fields = ["id", "email", "role", "is_staff"]


class MeView(generics.RetrieveUpdateAPIView):
    """The signed-in user: read, or change name and language."""

    serializer_class = MeSerializer

    def get_object(self):
        return self.request.user

    def perform_update(self, serializer):
        user = self.request.user
        data = serializer.validated_data
        services.update_profile(
            user=user,
            first_name=data.get("first_name", user.first_name),
            last_name=data.get("last_name", user.last_name),
            language=data.get("language", user.language),
        )
